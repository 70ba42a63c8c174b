package ssa_test

import (
	"encoding/json"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/ssa"
)

func TestDiff(t *testing.T) {
	ns := newNamespace(t, "diff")
	m := newManager(t, nil)

	t.Run("config map", func(t *testing.T) {
		g := NewWithT(t)
		d := configMap(ns, "cfg", map[string]any{"a": "1", "b": "2"})
		diff, err := m.Diff(t.Context(), d, ssa.ApplyOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(diff.Action).To(Equal(ssa.Created))
		g.Expect(diff.Entries).To(HaveLen(1))

		g.Expect(applyOne(t, m, d, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		diff, err = m.Diff(t.Context(), d, ssa.ApplyOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(diff.Action).To(Equal(ssa.Unchanged))
		g.Expect(diff.Entries).To(BeEmpty())

		d.Object["data"] = map[string]any{"a": "changed", "c": "3"}
		diff, err = m.Diff(t.Context(), d, ssa.ApplyOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(diff.Action).To(Equal(ssa.Configured))
		g.Expect(diff.Entries).To(Equal([]ssa.DiffEntry{
			{Path: "/data/a", Op: ssa.DiffReplace, Old: "1", New: "changed"},
			{Path: "/data/b", Op: ssa.DiffRemove, Old: "2"},
			{Path: "/data/c", Op: ssa.DiffAdd, New: "3"},
		}))
		b, err := json.Marshal(diff)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(b)).To(HavePrefix(`{"id":"ConfigMap/` + ns + `/cfg","action":"configured","entries":[{"path":"/data/a","op":"replace","old":"1","new":"changed"}`))
		// Diff changed nothing.
		g.Expect(live(t, d).Object["data"]).To(Equal(map[string]any{"a": "1", "b": "2"}))
	})

	t.Run("secret data is masked", func(t *testing.T) {
		g := NewWithT(t)
		s := obj("v1", "Secret", ns, "creds")
		s.Object["stringData"] = map[string]any{"password": "hunter2"}
		diff, err := m.Diff(t.Context(), s, ssa.ApplyOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		b, _ := json.Marshal(diff)
		g.Expect(string(b)).NotTo(ContainSubstring("hunter2"))

		g.Expect(applyOne(t, m, s, ssa.ApplyOptions{})).To(Equal(ssa.Created))
		s.Object["stringData"] = map[string]any{"password": "correct-horse"}
		diff, err = m.Diff(t.Context(), s, ssa.ApplyOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(diff.Action).To(Equal(ssa.Configured))
		g.Expect(diff.Entries).To(ContainElement(ssa.DiffEntry{Path: "/data/password", Op: ssa.DiffReplace, Old: "***", New: "***"}))
		b, _ = json.Marshal(diff)
		g.Expect(string(b)).NotTo(Or(ContainSubstring("hunter2"), ContainSubstring("correct-horse"),
			ContainSubstring("aHVudGVyMg"), ContainSubstring("Y29ycmVjdC1ob3JzZQ")))
	})
}
