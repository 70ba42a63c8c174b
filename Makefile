# Sluice: one Makefile for every module of the workspace.
#
#   make test      test every module (race detector on), then fuzz briefly
#   make lint      golangci-lint over every module
#   make tidy      go mod tidy in every module
#   make vet       go vet every module
#   make assets    build or find kube-apiserver, etcd, cosign and Gitea for testenv
#   make quickstart  run the whole GitOps loop on this machine (QUICKSTART_FLAGS=--keep)
#
# Per-module targets: test-<module>, vet-<module>, lint-<module>,
# tidy-<module>, fuzz-<module>, e.g. `make test-version`.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

# Modules are the folders that hold a go.mod.
MODULES := $(sort $(patsubst %/go.mod,%,$(wildcard */go.mod)))

GOLANGCI_LINT_VERSION := v2.15.0
BIN := $(CURDIR)/.bin
GOLANGCI_LINT := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)

# go test flags; TEST_TIMEOUT leaves room for slow, busy 2-core machines.
TEST_TIMEOUT ?= 20m
TEST_FLAGS ?= -race -count=1 -timeout=$(TEST_TIMEOUT)
# How long each fuzz target runs in `make test`.
FUZZTIME ?= 10s

.PHONY: test lint tidy vet build fuzz assets list-modules quickstart test-kubebuilder-assets
test: assets $(addprefix test-,$(MODULES)) test-kubebuilder-assets fuzz
lint: $(addprefix lint-,$(MODULES))
tidy: $(addprefix tidy-,$(MODULES))
vet: $(addprefix vet-,$(MODULES))
build: $(addprefix build-,$(MODULES))
fuzz: $(addprefix fuzz-,$(MODULES))

list-modules:
	@echo $(MODULES)

# Provision the control-plane binaries, the cosign CLI and Gitea once, up
# front, so test packages find them cached instead of racing to build (cold
# builds take about 15 minutes for kube-apiserver, 4 for cosign and 7 for
# Gitea on 2 idle cores).
assets:
	@cd testenv && go run ./cmd/assets -tools | tail -n 1

# testenv's control-plane tests once more the way a controller-runtime
# envtest user runs them: binaries copied to a folder named by
# KUBEBUILDER_ASSETS, an empty cache and the module proxy off, so nothing
# but that folder can serve them.
test-kubebuilder-assets: assets
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	dir=$$(cd testenv && go run ./cmd/assets | tail -n 1) && \
	mkdir -p "$$tmp/bin" "$$tmp/cache" && cp "$$dir"/kube-apiserver "$$dir"/etcd "$$tmp/bin/" && \
	cd testenv && go test -c -o "$$tmp/testenv.test" . && \
	KUBEBUILDER_ASSETS="$$tmp/bin" XDG_CACHE_HOME="$$tmp/cache" GOPROXY=off \
	  "$$tmp/testenv.test" -test.count=1 -test.timeout=$(TEST_TIMEOUT) \
	  -test.run 'TestServerSideApply|TestCRDFromPathsIsServedAndValidates|TestInstallCRDsFromFS|TestKubeConfigReachesTheAPIServer'

# The README's quickstart: a control plane, a Git server and the example
# controllers, showing apply, update, drift correction and prune.
QUICKSTART_FLAGS ?=
quickstart:
	go run ./examples/cmd/quickstart $(QUICKSTART_FLAGS)

test-%:
	cd $* && go test $(TEST_FLAGS) ./...

vet-%:
	cd $* && go vet ./...

build-%:
	cd $* && go build ./...

tidy-%:
	cd $* && go mod tidy

fuzz-%:
	./hack/fuzz.sh $* $(FUZZTIME)

lint-%: $(GOLANGCI_LINT)
	cd $* && $(GOLANGCI_LINT) run --allow-parallel-runners --config $(CURDIR)/.golangci.yml ./...

$(GOLANGCI_LINT):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/golangci-lint $@
