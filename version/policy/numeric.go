package policy

import "strings"

// decimal is an exact decimal number: [+-]digits[.digits], normalised so that
// equal numbers have equal fields ("007.50" and "7.5", "-0" and "0").
type decimal struct {
	neg  bool
	intg string // integer digits without leading zeros; "" for 0
	frac string // fraction digits without trailing zeros
}

// parseDecimal parses s exactly, without the rounding of strconv.ParseFloat,
// so 20-digit timestamps compare correctly. Exponents, hexadecimal, "Inf" and
// "NaN" are not numbers here.
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		d.neg = s[i] == '-'
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return decimal{}, false
	}
	d.intg = strings.TrimLeft(s[start:i], "0")
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == fs {
			return decimal{}, false
		}
		d.frac = strings.TrimRight(s[fs:i], "0")
	}
	if i != len(s) {
		return decimal{}, false
	}
	if d.intg == "" && d.frac == "" {
		d.neg = false
	}
	return d, true
}

// compare returns -1, 0 or +1 as d is less than, equal to or greater than o.
func (d decimal) compare(o decimal) int {
	if d.neg != o.neg {
		if d.neg {
			return -1
		}
		return 1
	}
	c := compareAbs(d, o)
	if d.neg {
		return -c
	}
	return c
}

func compareAbs(a, b decimal) int {
	if len(a.intg) != len(b.intg) {
		if len(a.intg) < len(b.intg) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(a.intg, b.intg); c != 0 {
		return c
	}
	return strings.Compare(a.frac, b.frac)
}
