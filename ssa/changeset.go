package ssa

import (
	"sort"
	"strings"
)

// Action is what the manager did to one object. The zero value is
// [Unknown].
type Action int

// The actions an object can undergo.
const (
	// Unknown is the zero Action: nothing was recorded.
	Unknown Action = iota
	// Created means the object did not exist and was created.
	Created
	// Configured means the object existed and was changed.
	Configured
	// Unchanged means the object already held the desired state; nothing
	// was written.
	Unchanged
	// Deleted means the object was deleted.
	Deleted
	// Skipped means the object was left alone on purpose: excluded by
	// annotation or label, or if-not-present and already there.
	Skipped
)

// String returns the lowercase name of the action, such as "created", or
// "unknown" for an unknown value.
func (a Action) String() string {
	switch a {
	case Created:
		return "created"
	case Configured:
		return "configured"
	case Unchanged:
		return "unchanged"
	case Deleted:
		return "deleted"
	case Skipped:
		return "skipped"
	default:
		return "unknown"
	}
}

// Change is the outcome for one object.
type Change struct {
	// ID names the object.
	ID ObjectID
	// Action is what happened to it.
	Action Action
}

// String returns "<display id> <action>", such as
// "ConfigMap/default/cfg created".
func (c Change) String() string { return c.ID.Display() + " " + c.Action.String() }

// ChangeSet is the outcome of one apply, delete or prune: one Change per
// object, in the order the objects were handled. The zero value is an empty
// set ready to use.
type ChangeSet struct {
	// Entries lists one Change per object.
	Entries []Change
}

// Add appends changes to the set.
func (cs *ChangeSet) Add(changes ...Change) { cs.Entries = append(cs.Entries, changes...) }

// Append adds every entry of other to the set.
func (cs *ChangeSet) Append(other ChangeSet) { cs.Entries = append(cs.Entries, other.Entries...) }

// Len returns the number of entries.
func (cs ChangeSet) Len() int { return len(cs.Entries) }

// IDs returns the ids of the entries, in order.
func (cs ChangeSet) IDs() []ObjectID {
	ids := make([]ObjectID, len(cs.Entries))
	for i, e := range cs.Entries {
		ids[i] = e.ID
	}
	return ids
}

// Count returns how many entries have action a.
func (cs ChangeSet) Count(a Action) int {
	n := 0
	for _, e := range cs.Entries {
		if e.Action == a {
			n++
		}
	}
	return n
}

// Lookup returns the action recorded for id and whether there is one.
func (cs ChangeSet) Lookup(id ObjectID) (Action, bool) {
	for _, e := range cs.Entries {
		if e.ID == id {
			return e.Action, true
		}
	}
	return Unknown, false
}

// Changed reports whether any entry is Created, Configured or Deleted.
func (cs ChangeSet) Changed() bool {
	for _, e := range cs.Entries {
		switch e.Action {
		case Created, Configured, Deleted:
			return true
		}
	}
	return false
}

// ToMap returns the set keyed by each object's display id
// ([ObjectID.Display]), with the action names as values, a form for logs
// and events.
func (cs ChangeSet) ToMap() map[string]string {
	m := make(map[string]string, len(cs.Entries))
	for _, e := range cs.Entries {
		m[e.ID.Display()] = e.Action.String()
	}
	return m
}

// ToGroupMap returns the display ids grouped by action name, each list
// sorted, leaving out actions no entry has.
func (cs ChangeSet) ToGroupMap() map[string][]string {
	m := map[string][]string{}
	for _, e := range cs.Entries {
		m[e.Action.String()] = append(m[e.Action.String()], e.ID.Display())
	}
	for _, v := range m {
		sort.Strings(v)
	}
	return m
}

// String returns one line per entry, in order, as [Change.String] writes
// them.
func (cs ChangeSet) String() string {
	var b strings.Builder
	for i, e := range cs.Entries {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.String())
	}
	return b.String()
}
