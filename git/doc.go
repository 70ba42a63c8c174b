// Package git will be Sluice's consolidated Git client.
//
// It will clone by branch, tag, semver range, commit or any refname, push,
// sign and verify commits and tags, speak HTTP(S), SSH and git:// with
// secure defaults, and drive repository providers for bootstrap flows. It is
// built on go-git and never imports Kubernetes packages: a controller turns
// a Secret into a map[string][]byte and hands that over.
//
// The client lands with the git issue; until then this module holds no code.
package git
