package policy

import (
	"fmt"
	"regexp"
	"unicode"
	"unicode/utf8"
)

// checkTemplate walks an Extract template with the reference syntax of
// regexp.Expand and returns an error for a reference it cannot resolve in re:
// a *MissingGroupError for an unknown group, or an ErrInvalidPolicy error for
// a malformed reference that Expand would copy literally.
func checkTemplate(tmpl, pattern string, re *regexp.Regexp) error {
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] != '$' {
			continue
		}
		rest := tmpl[i+1:]
		switch {
		case rest == "":
			return fmt.Errorf("extract %q: '$' at the end (write $$ for a literal '$')", tmpl)
		case rest[0] == '$':
			i++
			continue
		}
		brace := rest[0] == '{'
		if brace {
			rest = rest[1:]
		}
		n := nameLen(rest)
		if n == 0 {
			return fmt.Errorf("extract %q: '$' at offset %d is not followed by a group name or number (write $$ for a literal '$')", tmpl, i)
		}
		name := rest[:n]
		consumed := n
		if brace {
			if n == len(rest) || rest[n] != '}' {
				return fmt.Errorf("extract %q: unclosed \"${\" at offset %d", tmpl, i)
			}
			consumed += 2 // '{' and '}'
		}
		if !hasGroup(re, name) {
			return &MissingGroupError{Group: name, Extract: tmpl, Pattern: pattern}
		}
		i += consumed
	}
	return nil
}

// nameLen returns the byte length of the longest run of letters, digits and
// underscores at the start of s, as regexp.Expand reads a reference.
func nameLen(s string) int {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
			break
		}
		i += size
	}
	return i
}

// hasGroup reports whether a reference resolves in re. As in regexp.Expand, a
// reference of decimal digits without a leading zero (and below 1e8) is a
// group number, 0 being the whole match; anything else is a group name.
func hasGroup(re *regexp.Regexp, name string) bool {
	if num, ok := groupNumber(name); ok {
		return num <= re.NumSubexp()
	}
	return re.SubexpIndex(name) >= 0
}

func groupNumber(name string) (int, bool) {
	if len(name) > 1 && name[0] == '0' {
		return 0, false
	}
	num := 0
	for i := range len(name) {
		if name[i] < '0' || name[i] > '9' || num >= 1e8 {
			return 0, false
		}
		num = num*10 + int(name[i]-'0')
	}
	return num, true
}
