// Package testenv will run the real infrastructure Sluice tests stand on.
package testenv
