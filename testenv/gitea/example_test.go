package gitea_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/sluice-dev/sluice/testenv/gitea"
)

// Start a server and call its API with the administrator's token. Not run
// as a test: the first use builds Gitea.
func Example() {
	ctx := context.Background()
	srv, err := gitea.Start(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = srv.Close() }()

	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+"/api/v1/user", nil)
	req.Header.Set("Authorization", "token "+srv.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	_ = resp.Body.Close()
	fmt.Println(resp.Status)
}
