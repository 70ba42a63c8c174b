module github.com/sluice-dev/sluice/testenv

go 1.26.0
