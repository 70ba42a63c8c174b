module github.com/sluice-dev/sluice/git

go 1.26.0

// Sibling modules come from this workspace, also with GOWORK=off.
replace (
	github.com/sluice-dev/sluice/testenv => ../testenv
	github.com/sluice-dev/sluice/version => ../version
)
