package main

import (
	"testing"

	. "github.com/onsi/gomega"
)

func TestAdvertisedURL(t *testing.T) {
	tests := []struct {
		addr, adv, want string
		wantErr         bool
	}{
		{addr: ":9090", want: "http://localhost:9090"},
		{addr: "0.0.0.0:9090", want: "http://localhost:9090"},
		{addr: "[::]:9090", want: "http://localhost:9090"},
		{addr: "127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{addr: ":9090", adv: "http://source-controller.flux-system.svc", want: "http://source-controller.flux-system.svc"},
		{addr: "no-port", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.addr+"|"+tt.adv, func(t *testing.T) {
			g := NewWithT(t)
			got, err := advertisedURL(tt.addr, tt.adv)
			if tt.wantErr {
				g.Expect(err).To(HaveOccurred())
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(got).To(Equal(tt.want))
		})
	}
}
