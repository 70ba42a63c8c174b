//go:build !unix

package gitea

import (
	"errors"
	"os/exec"
)

var errNoProcessGroups = errors.New("the gitea server needs unix process groups")

func setProcessGroup(*exec.Cmd) error { return errNoProcessGroups }

func signalGroup(int, bool) error { return errNoProcessGroups }
