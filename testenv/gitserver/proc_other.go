//go:build !unix

package gitserver

import (
	"errors"
	"os/exec"
)

var errNoProcessGroups = errors.New("git daemon needs unix process groups")

func setProcessGroup(*exec.Cmd) error { return errNoProcessGroups }

func killProcessGroup(int) error { return errNoProcessGroups }
