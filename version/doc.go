// Package version will parse and sort semantic versions, select image tags
// by policy, and parse RFC-0005 revisions and digests.
//
// The package lands with the version issue; until then this module holds no
// code.
package version
