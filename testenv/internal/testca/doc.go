// Package testca generates throwaway certificate authorities and the
// loopback server certificates they sign, for testenv's TLS servers.
//
// It does no I/O and keeps no state between calls.
package testca
