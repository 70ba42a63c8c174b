package main

import (
	"bytes"
	"testing"

	. "github.com/onsi/gomega"
)

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help documents the steps and flags", []string{"--help"}, 0, "a file removed from Git: its object pruned"},
		{"help lists --keep", []string{"-h"}, 0, "--keep"},
		{"unknown flag", []string{"--no-such-flag"}, 2, "unknown flag: --no-such-flag"},
		{"stray argument", []string{"now"}, 2, `unexpected arguments ["now"]`},
		{"bad duration", []string{"--step-timeout", "soon"}, 2, "invalid argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			var stdout, stderr bytes.Buffer
			g.Expect(run(t.Context(), tt.args, &stdout, &stderr)).To(Equal(tt.code))
			g.Expect(stderr.String()).To(ContainSubstring(tt.want))
			g.Expect(stdout.String()).To(BeEmpty())
		})
	}
}
