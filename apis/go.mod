module github.com/sluice-dev/sluice/apis

go 1.26.0

replace github.com/sluice-dev/sluice/testenv => ../testenv
