package provider_test

import (
	"encoding/pem"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
