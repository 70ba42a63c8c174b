module github.com/sluice-dev/sluice/examples

go 1.26.0

// Sibling modules come from this workspace, also with GOWORK=off.
replace (
	github.com/sluice-dev/sluice/apis => ../apis
	github.com/sluice-dev/sluice/git => ../git
	github.com/sluice-dev/sluice/oci => ../oci
	github.com/sluice-dev/sluice/runtime => ../runtime
	github.com/sluice-dev/sluice/ssa => ../ssa
	github.com/sluice-dev/sluice/testenv => ../testenv
	github.com/sluice-dev/sluice/version => ../version
)
