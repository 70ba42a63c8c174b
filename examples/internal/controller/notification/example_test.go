package notification_test

import (
	"fmt"

	"github.com/sluice-dev/sluice/examples/internal/controller/notification"
)

func ExampleWebhookPath() {
	fmt.Println(notification.WebhookPath("token", "github", "apps"))
	// Output:
	// /hook/d6540b32231d760c63ec88341077a0359cf4dfa3cf89ea010d071d5d914388ca
}

func ExampleSign() {
	body := []byte(`{"ref":"refs/heads/main"}`)
	sig := notification.Sign([]byte("secret"), body)
	fmt.Println(sig)
	fmt.Println(notification.VerifySignature([]byte("secret"), body, sig))
	fmt.Println(notification.VerifySignature([]byte("guess"), body, sig))
	// Output:
	// sha256=d8f89f0618acd61fe621aa4e64078c0e2bca15d0b578b7f3eb734f55883c5320
	// <nil>
	// verify signature: signature does not match
}
