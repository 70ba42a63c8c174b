package flags

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// FeatureGates holds the controller's known feature gates and their values.
// Build it with [NewFeatureGates]; the zero value knows no gates.
type FeatureGates struct {
	values map[string]bool
}

// NewFeatureGates returns FeatureGates that know the gates of defaults, with
// those values until --feature-gates changes them. defaults is copied.
func NewFeatureGates(defaults map[string]bool) *FeatureGates {
	return &FeatureGates{values: maps.Clone(defaults)}
}

// BindFlags registers --feature-gates on fs. Its value is a comma-separated
// list of Gate=true|false; parsing refuses a gate not known with a
// [*FeatureGateError] matching [ErrUnknownFeatureGate], and a malformed
// entry with one matching [ErrInvalidValue]. Repeating the flag adds to
// the earlier values.
func (g *FeatureGates) BindFlags(fs *pflag.FlagSet) {
	fs.Var((*featureGatesValue)(g), "feature-gates",
		"comma-separated Gate=true|false pairs; known gates: "+strings.Join(g.Known(), ", "))
}

// Set parses s, a comma-separated list of Gate=true|false, and applies it;
// it returns the errors of the flag and applies nothing when one entry is
// wrong.
func (g *FeatureGates) Set(s string) error {
	parsed := map[string]bool{}
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, value, ok := strings.Cut(entry, "=")
		name = strings.TrimSpace(name)
		if !ok {
			return &FeatureGateError{Gate: name, Err: ErrInvalidValue}
		}
		if _, known := g.values[name]; !known {
			return &FeatureGateError{Gate: name, Err: ErrUnknownFeatureGate}
		}
		b, err := strconv.ParseBool(strings.TrimSpace(value))
		if err != nil {
			return &FeatureGateError{Gate: name, Err: ErrInvalidValue}
		}
		parsed[name] = b
	}
	maps.Copy(g.values, parsed)
	return nil
}

// Enabled reports whether gate is on; false for an unknown gate.
func (g *FeatureGates) Enabled(gate string) bool { return g.values[gate] }

// Known returns the names of the known gates, sorted.
func (g *FeatureGates) Known() []string { return slices.Sorted(maps.Keys(g.values)) }

// Values returns a copy of every gate's value.
func (g *FeatureGates) Values() map[string]bool { return maps.Clone(g.values) }

// String returns the gates as sorted Gate=value pairs.
func (g *FeatureGates) String() string {
	pairs := make([]string, 0, len(g.values))
	for _, name := range g.Known() {
		pairs = append(pairs, name+"="+strconv.FormatBool(g.values[name]))
	}
	return strings.Join(pairs, ",")
}

// featureGatesValue adapts FeatureGates to pflag.Value.
type featureGatesValue FeatureGates

func (v *featureGatesValue) String() string {
	if v == nil {
		return ""
	}
	return (*FeatureGates)(v).String()
}

func (v *featureGatesValue) Set(s string) error { return (*FeatureGates)(v).Set(s) }

func (v *featureGatesValue) Type() string { return "mapStringBool" }
