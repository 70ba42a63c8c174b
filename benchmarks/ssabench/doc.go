// Package ssabench compares Sluice's server-side-apply manager with
// github.com/fluxcd/pkg/ssa and with a plain loop of one apply PATCH per
// object, on a real kube-apiserver and etcd from testenv.
//
// Every implementation gets its own client whose transport counts requests,
// so besides wall time each benchmark reports requests per object
// ("req/obj"). Scenarios: creating 1,000 ConfigMaps, re-applying them
// unchanged, re-applying them with 10% changed, and creating 100 mixed
// objects (a CRD with its custom resources, Namespaces, Deployments and
// Services) in one staged apply.
//
//	cd benchmarks && go test -run '^$' -bench . -benchtime 3x ./ssabench/
package ssabench
