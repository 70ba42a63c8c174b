package source_test

import (
	"net/http"
	"net/http/httptest"
	"os"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/sluice-dev/sluice/examples/internal/controller/source"
	"github.com/sluice-dev/sluice/examples/internal/storage"
	"github.com/sluice-dev/sluice/runtime/flags"
)

// Run the source reconcilers in a manager, with the artifacts served by an
// in-process HTTP server, as the quickstart does.
func Example() {
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{})
	if err != nil {
		panic(err)
	}

	// The storage needs its URL before it serves: start the server first.
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "artifacts")
	defer os.RemoveAll(dir)
	st, err := storage.New(dir, srv.URL)
	if err != nil {
		panic(err)
	}
	handler = st.Handler()

	git := &source.GitRepositoryReconciler{
		Client:       mgr.GetClient(),
		Storage:      st,
		InsecureHTTP: flags.InsecureHTTPOptions{Allow: true}, // a local Git server over http://
	}
	if err := git.SetupWithManager(mgr); err != nil {
		panic(err)
	}
	oci := &source.OCIRepositoryReconciler{Client: mgr.GetClient(), Storage: st}
	if err := oci.SetupWithManager(mgr); err != nil {
		panic(err)
	}
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		panic(err)
	}
}
