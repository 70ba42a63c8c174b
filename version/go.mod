module github.com/sluice-dev/sluice/version

go 1.26.0

require (
	github.com/onsi/gomega v1.44.0
	github.com/opencontainers/go-digest v1.0.0
)

require (
	github.com/google/go-cmp v0.7.0 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
