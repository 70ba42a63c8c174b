package flags

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/sluice-dev/sluice/apis/event"
	"github.com/sluice-dev/sluice/runtime/events"
)

func newFlagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	return fs
}

func TestLogOptions(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		g := NewWithT(t)
		var o LogOptions
		fs := newFlagSet()
		o.BindFlags(fs)
		g.Expect(fs.Parse(nil)).To(Succeed())
		g.Expect(o).To(Equal(LogOptions{Encoding: LogEncodingJSON, Level: LogLevelInfo}))
	})

	t.Run("json at info drops debug", func(t *testing.T) {
		g := NewWithT(t)
		var buf bytes.Buffer
		log, err := LogOptions{}.LoggerTo(&buf)
		g.Expect(err).NotTo(HaveOccurred())
		log.Info("hello", "k", "v")
		log.V(1).Info("debug")
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		g.Expect(lines).To(HaveLen(1))
		var entry map[string]any
		g.Expect(json.Unmarshal([]byte(lines[0]), &entry)).To(Succeed())
		g.Expect(entry).To(HaveKeyWithValue("msg", "hello"))
		g.Expect(entry).To(HaveKeyWithValue("k", "v"))
		g.Expect(entry).To(HaveKeyWithValue("level", "info"))
	})

	levels := []struct {
		level       string
		wantMessage []string
	}{
		{LogLevelError, []string{"error"}},
		{LogLevelInfo, []string{"error", "v0"}},
		{LogLevelDebug, []string{"error", "v0", "v1"}},
		{LogLevelTrace, []string{"error", "v0", "v1", "v2"}},
	}
	for _, tc := range levels {
		t.Run("level "+tc.level, func(t *testing.T) {
			g := NewWithT(t)
			var o LogOptions
			fs := newFlagSet()
			o.BindFlags(fs)
			g.Expect(fs.Parse([]string{"--log-level=" + tc.level, "--log-encoding=console"})).To(Succeed())
			var buf bytes.Buffer
			log, err := o.LoggerTo(&buf)
			g.Expect(err).NotTo(HaveOccurred())
			log.Error(errors.New("boom"), "error")
			log.Info("v0")
			log.V(1).Info("v1")
			log.V(2).Info("v2")
			log.V(3).Info("v3")
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			g.Expect(lines).To(HaveLen(len(tc.wantMessage)))
			for i, msg := range tc.wantMessage {
				g.Expect(lines[i]).To(ContainSubstring(msg))
			}
			g.Expect(json.Valid([]byte(lines[0]))).To(BeFalse(), "console encoding")
		})
	}

	bad := []struct{ args, flag string }{
		{"--log-level=verbose", "log-level"},
		{"--log-encoding=xml", "log-encoding"},
	}
	for _, tc := range bad {
		t.Run("refuse "+tc.args, func(t *testing.T) {
			g := NewWithT(t)
			var o LogOptions
			fs := newFlagSet()
			o.BindFlags(fs)
			err := fs.Parse([]string{tc.args})
			g.Expect(err).To(MatchError(ErrInvalidValue))
			var ive *InvalidValueError
			g.Expect(errors.As(err, &ive)).To(BeTrue())
			g.Expect(ive.Flag).To(Equal(tc.flag))
		})
	}

	t.Run("logger refuses unknown values set in code", func(t *testing.T) {
		g := NewWithT(t)
		_, err := LogOptions{Level: "loud"}.Logger()
		g.Expect(err).To(MatchError(ErrInvalidValue))
		_, err = LogOptions{Encoding: "xml"}.Logger()
		g.Expect(err).To(MatchError(ErrInvalidValue))
	})
}

func TestClientOptions(t *testing.T) {
	g := NewWithT(t)
	var o ClientOptions
	fs := newFlagSet()
	o.BindFlags(fs)
	g.Expect(fs.Parse(nil)).To(Succeed())
	g.Expect(o).To(Equal(ClientOptions{QPS: DefaultKubeAPIQPS, Burst: DefaultKubeAPIBurst}))
	g.Expect(o.Validate()).To(Succeed())

	g.Expect(fs.Parse([]string{"--kube-api-qps=12.5", "--kube-api-burst=40"})).To(Succeed())
	cfg := &rest.Config{}
	o.ApplyTo(cfg)
	g.Expect(cfg.QPS).To(BeNumerically("==", 12.5))
	g.Expect(cfg.Burst).To(Equal(40))

	g.Expect(newFlagSetWith(&ClientOptions{}).Parse([]string{"--kube-api-qps=fast"})).NotTo(Succeed())

	g.Expect(ClientOptions{QPS: 0, Burst: 1}.Validate()).To(MatchError(ErrInvalidValue))
	err := ClientOptions{QPS: 1, Burst: -1}.Validate()
	var ive *InvalidValueError
	g.Expect(errors.As(err, &ive)).To(BeTrue())
	g.Expect(ive.Flag).To(Equal("kube-api-burst"))
	g.Expect(ive.Value).To(Equal("-1"))
}

func newFlagSetWith(o interface{ BindFlags(*pflag.FlagSet) }) *pflag.FlagSet {
	fs := newFlagSet()
	o.BindFlags(fs)
	return fs
}

func TestLeaderElectionOptions(t *testing.T) {
	g := NewWithT(t)
	var o LeaderElectionOptions
	fs := newFlagSetWith(&o)
	g.Expect(fs.Parse(nil)).To(Succeed())
	g.Expect(o).To(Equal(LeaderElectionOptions{LeaseDuration: DefaultLeaseDuration, RenewDeadline: DefaultRenewDeadline, RetryPeriod: DefaultRetryPeriod}))
	g.Expect(o.Validate()).To(Succeed())

	g.Expect(fs.Parse([]string{"--enable-leader-election", "--leader-election-lease-duration=1m",
		"--leader-election-renew-deadline=40s", "--leader-election-retry-period=5s"})).To(Succeed())
	g.Expect(o.Validate()).To(Succeed())
	var mo ctrl.Options
	o.ApplyTo(&mo, "sluice-controller")
	g.Expect(mo.LeaderElection).To(BeTrue())
	g.Expect(mo.LeaderElectionID).To(Equal("sluice-controller"))
	g.Expect(mo.LeaderElectionReleaseOnCancel).To(BeTrue())
	g.Expect(*mo.LeaseDuration).To(Equal(time.Minute))
	g.Expect(*mo.RenewDeadline).To(Equal(40 * time.Second))
	g.Expect(*mo.RetryPeriod).To(Equal(5 * time.Second))

	bad := []struct {
		o    LeaderElectionOptions
		flag string
	}{
		{LeaderElectionOptions{LeaseDuration: time.Minute, RenewDeadline: 10 * time.Second}, "leader-election-retry-period"},
		{LeaderElectionOptions{LeaseDuration: time.Minute, RenewDeadline: time.Second, RetryPeriod: 2 * time.Second}, "leader-election-renew-deadline"},
		{LeaderElectionOptions{LeaseDuration: 10 * time.Second, RenewDeadline: 10 * time.Second, RetryPeriod: 2 * time.Second}, "leader-election-lease-duration"},
	}
	for _, tc := range bad {
		var ive *InvalidValueError
		g.Expect(errors.As(tc.o.Validate(), &ive)).To(BeTrue(), tc.flag)
		g.Expect(ive.Flag).To(Equal(tc.flag))
	}
}

func TestRetryOptions(t *testing.T) {
	g := NewWithT(t)
	var o RetryOptions
	fs := newFlagSetWith(&o)
	g.Expect(fs.Parse(nil)).To(Succeed())
	g.Expect(o).To(Equal(RetryOptions{MinRetryDelay: DefaultMinRetryDelay, MaxRetryDelay: DefaultMaxRetryDelay}))

	g.Expect(fs.Parse([]string{"--min-retry-delay=1s", "--max-retry-delay=3s"})).To(Succeed())
	g.Expect(o.Validate()).To(Succeed())
	rl := o.RateLimiter()
	req := reconcile.Request{}
	req.Name = "app"
	g.Expect(rl.When(req)).To(Equal(time.Second))
	g.Expect(rl.When(req)).To(Equal(2 * time.Second))
	g.Expect(rl.When(req)).To(Equal(3 * time.Second))
	g.Expect(rl.When(req)).To(Equal(3 * time.Second))
	g.Expect(rl.NumRequeues(req)).To(Equal(4))
	rl.Forget(req)
	g.Expect(rl.When(req)).To(Equal(time.Second))

	g.Expect(RetryOptions{MinRetryDelay: 0, MaxRetryDelay: time.Second}.Validate()).To(MatchError(ErrInvalidValue))
	var ive *InvalidValueError
	g.Expect(errors.As(RetryOptions{MinRetryDelay: time.Minute, MaxRetryDelay: time.Second}.Validate(), &ive)).To(BeTrue())
	g.Expect(ive.Flag).To(Equal("max-retry-delay"))
}

func TestFeatureGates(t *testing.T) {
	defaults := map[string]bool{"CacheSecrets": false, "StrictDecoding": true}

	t.Run("defaults and copies", func(t *testing.T) {
		g := NewWithT(t)
		in := map[string]bool{"A": true}
		fg := NewFeatureGates(in)
		in["A"] = false
		g.Expect(fg.Enabled("A")).To(BeTrue())
		fg.Values()["A"] = false
		g.Expect(fg.Enabled("A")).To(BeTrue())
		g.Expect(fg.Enabled("Unknown")).To(BeFalse())
	})

	t.Run("parse", func(t *testing.T) {
		g := NewWithT(t)
		fg := NewFeatureGates(defaults)
		fs := newFlagSetWith(fg)
		g.Expect(fs.Parse([]string{"--feature-gates=CacheSecrets=true, StrictDecoding=false"})).To(Succeed())
		g.Expect(fg.Values()).To(Equal(map[string]bool{"CacheSecrets": true, "StrictDecoding": false}))
		g.Expect(fs.Parse([]string{"--feature-gates=StrictDecoding=true"})).To(Succeed())
		g.Expect(fg.Values()).To(Equal(map[string]bool{"CacheSecrets": true, "StrictDecoding": true}))
		g.Expect(fg.String()).To(Equal("CacheSecrets=true,StrictDecoding=true"))
		g.Expect(fg.Known()).To(Equal([]string{"CacheSecrets", "StrictDecoding"}))
	})

	bad := []struct {
		value, gate string
		want        error
	}{
		{"Teleport=true", "Teleport", ErrUnknownFeatureGate},
		{"CacheSecrets=true,Teleport=false", "Teleport", ErrUnknownFeatureGate},
		{"CacheSecrets", "CacheSecrets", ErrInvalidValue},
		{"CacheSecrets=maybe", "CacheSecrets", ErrInvalidValue},
	}
	for _, tc := range bad {
		t.Run("refuse "+tc.value, func(t *testing.T) {
			g := NewWithT(t)
			fg := NewFeatureGates(defaults)
			err := newFlagSetWith(fg).Parse([]string{"--feature-gates=" + tc.value})
			g.Expect(err).To(MatchError(tc.want))
			var fge *FeatureGateError
			g.Expect(errors.As(err, &fge)).To(BeTrue())
			g.Expect(fge.Gate).To(Equal(tc.gate))
			g.Expect(fg.Values()).To(Equal(defaults), "nothing applied")
		})
	}
}

func TestWatchOptions(t *testing.T) {
	g := NewWithT(t)
	var o WatchOptions
	fs := newFlagSetWith(&o)
	g.Expect(fs.Parse(nil)).To(Succeed())
	g.Expect(o).To(Equal(WatchOptions{AllNamespaces: true}))
	co, err := o.CacheOptions("")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(co.DefaultNamespaces).To(BeEmpty())
	g.Expect(co.DefaultLabelSelector).To(BeNil())

	g.Expect(fs.Parse([]string{"--watch-all-namespaces=false", "--watch-label-selector=sharding.sluice.dev/shard=a"})).To(Succeed())
	co, err = o.CacheOptions("sluice-system")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(co.DefaultNamespaces).To(HaveKey("sluice-system"))
	g.Expect(co.DefaultNamespaces).To(HaveLen(1))
	g.Expect(co.DefaultLabelSelector.Matches(labels.Set{"sharding.sluice.dev/shard": "a"})).To(BeTrue())
	g.Expect(co.DefaultLabelSelector.Matches(labels.Set{"sharding.sluice.dev/shard": "b"})).To(BeFalse())

	_, err = o.CacheOptions("")
	var ive *InvalidValueError
	g.Expect(errors.As(err, &ive)).To(BeTrue())
	g.Expect(ive.Flag).To(Equal("watch-all-namespaces"))

	_, err = WatchOptions{AllNamespaces: true, LabelSelector: "a in (b"}.CacheOptions("")
	g.Expect(errors.As(err, &ive)).To(BeTrue())
	g.Expect(ive.Flag).To(Equal("watch-label-selector"))
}

func TestInsecureHTTPCheckURL(t *testing.T) {
	var o InsecureHTTPOptions
	fs := newFlagSetWith(&o)
	NewWithT(t).Expect(fs.Parse(nil)).To(Succeed())
	NewWithT(t).Expect(o.Allow).To(BeFalse())

	cases := []struct {
		url     string
		allowed bool
	}{
		{"https://github.com/org/repo", true},
		{"ssh://git@github.com/org/repo", true},
		{"oci://ghcr.io/org/app", true},
		{"http://example.com/repo", false},
		{"HTTP://example.com/repo", false},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			g := NewWithT(t)
			err := o.CheckURL(tc.url)
			if tc.allowed {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(err).To(MatchError(ErrInsecureHTTP))
			g.Expect(InsecureHTTPOptions{Allow: true}.CheckURL(tc.url)).To(Succeed())
		})
	}

	t.Run("credentials redacted", func(t *testing.T) {
		g := NewWithT(t)
		err := o.CheckURL("http://user:hunter2@example.com/repo")
		var ihe *InsecureHTTPError
		g.Expect(errors.As(err, &ihe)).To(BeTrue())
		g.Expect(err.Error()).NotTo(ContainSubstring("hunter2"))
		g.Expect(ihe.URL).To(ContainSubstring("example.com"))
	})

	t.Run("unparsable", func(t *testing.T) {
		g := NewWithT(t)
		err := o.CheckURL("http://user:hunter2@exa mple.com/%zz")
		g.Expect(err).To(MatchError(ErrInvalidValue))
		g.Expect(err.Error()).NotTo(ContainSubstring("hunter2"))
	})

	t.Run("flag allows", func(t *testing.T) {
		g := NewWithT(t)
		var o InsecureHTTPOptions
		g.Expect(newFlagSetWith(&o).Parse([]string{"--insecure-allow-http"})).To(Succeed())
		g.Expect(o.CheckURL("http://example.com")).To(Succeed())
	})
}

func TestInsecureHTTPCheckProxyEnv(t *testing.T) {
	cases := []struct {
		name       string
		env        map[string]string
		wantSource string // empty: allowed
	}{
		{"no proxy", nil, ""},
		{"https proxy", map[string]string{"HTTPS_PROXY": "https://proxy:3128"}, ""},
		{"socks proxy", map[string]string{"https_proxy": "socks5://proxy:1080"}, ""},
		{"HTTP_PROXY plain", map[string]string{"HTTP_PROXY": "http://proxy:3128"}, "HTTP_PROXY"},
		{"http_proxy plain", map[string]string{"http_proxy": "http://proxy:3128"}, "http_proxy"},
		{"HTTPS_PROXY plain", map[string]string{"HTTPS_PROXY": "http://proxy:3128"}, "HTTPS_PROXY"},
		{"https_proxy plain", map[string]string{"https_proxy": "http://proxy:3128"}, "https_proxy"},
		{"no scheme is plain", map[string]string{"HTTPS_PROXY": "proxy.corp:3128"}, "HTTPS_PROXY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			getenv := func(k string) string { return tc.env[k] }
			err := InsecureHTTPOptions{}.CheckProxyEnv(getenv)
			g.Expect(InsecureHTTPOptions{Allow: true}.CheckProxyEnv(getenv)).To(Succeed())
			if tc.wantSource == "" {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(err).To(MatchError(ErrInsecureHTTP))
			var ihe *InsecureHTTPError
			g.Expect(errors.As(err, &ihe)).To(BeTrue())
			g.Expect(ihe.Source).To(Equal(tc.wantSource))
		})
	}

	t.Run("credentials redacted", func(t *testing.T) {
		g := NewWithT(t)
		err := InsecureHTTPOptions{}.CheckProxyEnv(func(k string) string {
			if k == "HTTP_PROXY" {
				return "http://user:hunter2@proxy:3128"
			}
			return ""
		})
		g.Expect(err).To(MatchError(ErrInsecureHTTP))
		g.Expect(err.Error()).NotTo(ContainSubstring("hunter2"))
	})

	t.Run("unparsable", func(t *testing.T) {
		g := NewWithT(t)
		err := InsecureHTTPOptions{}.CheckProxyEnv(func(k string) string {
			if k == "HTTPS_PROXY" {
				return "user:hunter2@proxy:3128/%zz"
			}
			return ""
		})
		g.Expect(err).To(MatchError(ErrInvalidValue))
		g.Expect(err.Error()).To(ContainSubstring("HTTPS_PROXY"))
		g.Expect(err.Error()).NotTo(ContainSubstring("hunter2"))
	})
}

// Not parallel: t.Setenv changes the process environment.
func TestInsecureHTTPCheckProxyEnvDefaultsToProcessEnv(t *testing.T) {
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		t.Setenv(k, "")
	}
	t.Setenv("http_proxy", "http://proxy:3128")
	g := NewWithT(t)
	var ihe *InsecureHTTPError
	g.Expect(errors.As(InsecureHTTPOptions{}.CheckProxyEnv(nil), &ihe)).To(BeTrue())
	g.Expect(ihe.Source).To(Equal("http_proxy"))
}

// Not parallel: t.Setenv changes the process environment.
func TestInsecureHTTPValidate(t *testing.T) {
	proxies := []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"}
	for _, k := range proxies {
		t.Setenv(k, "")
	}
	var blocked InsecureHTTPOptions
	NewWithT(t).Expect(newFlagSetWith(&blocked).Parse(nil)).To(Succeed())
	allowed := InsecureHTTPOptions{Allow: true}

	t.Run("no proxy", func(t *testing.T) {
		NewWithT(t).Expect(blocked.Validate()).To(Succeed())
	})
	t.Run("https proxy", func(t *testing.T) {
		t.Setenv("HTTPS_PROXY", "https://proxy:3128")
		NewWithT(t).Expect(blocked.Validate()).To(Succeed())
	})
	for _, k := range proxies {
		t.Run("plain "+k, func(t *testing.T) {
			g := NewWithT(t)
			t.Setenv(k, "http://user:hunter2@proxy:3128")
			err := blocked.Validate()
			g.Expect(err).To(MatchError(ErrInsecureHTTP))
			var ihe *InsecureHTTPError
			g.Expect(errors.As(err, &ihe)).To(BeTrue())
			g.Expect(ihe.Source).To(Equal(k))
			g.Expect(err.Error()).NotTo(ContainSubstring("hunter2"))
			g.Expect(allowed.Validate()).To(Succeed())
		})
	}
	t.Run("unparsable proxy", func(t *testing.T) {
		g := NewWithT(t)
		t.Setenv("https_proxy", "user:hunter2@proxy:3128/%zz")
		err := blocked.Validate()
		g.Expect(err).To(MatchError(ErrInvalidValue))
		g.Expect(err.Error()).NotTo(ContainSubstring("hunter2"))
	})
	t.Run("flag allows", func(t *testing.T) {
		g := NewWithT(t)
		t.Setenv("HTTP_PROXY", "http://proxy:3128")
		var o InsecureHTTPOptions
		g.Expect(newFlagSetWith(&o).Parse([]string{"--insecure-allow-http"})).To(Succeed())
		g.Expect(o.Validate()).To(Succeed())
	})
}

func TestInsecureHTTPEventsOptions(t *testing.T) {
	var received atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var e event.Event
		if err := json.NewDecoder(req.Body).Decode(&e); err != nil || e.Reason != "Synced" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		received.Add(1)
	}))
	t.Cleanup(recv.Close)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "app"}}

	t.Run("blocked by default", func(t *testing.T) {
		g := NewWithT(t)
		var o InsecureHTTPOptions
		g.Expect(newFlagSetWith(&o).Parse(nil)).To(Succeed())
		g.Expect(o.EventsOptions()).To(BeEmpty())
		opts := append([]events.Option{events.WithWebhook(recv.URL)}, o.EventsOptions()...)
		rec, err := events.NewRecorder(nil, "test-controller", opts...)
		g.Expect(err).To(MatchError(events.ErrInsecureAddress))
		g.Expect(rec).To(BeNil())

		// HTTPS stays allowed.
		_, err = events.NewRecorder(nil, "test-controller",
			append([]events.Option{events.WithWebhook("https://receiver.example/hook")}, o.EventsOptions()...)...)
		g.Expect(err).NotTo(HaveOccurred())
	})

	t.Run("allowed by the flag", func(t *testing.T) {
		g := NewWithT(t)
		var o InsecureHTTPOptions
		g.Expect(newFlagSetWith(&o).Parse([]string{"--insecure-allow-http"})).To(Succeed())
		opts := append([]events.Option{events.WithWebhook(recv.URL), events.WithRetries(1, time.Millisecond)}, o.EventsOptions()...)
		rec, err := events.NewRecorder(nil, "test-controller", opts...)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(rec.Event(t.Context(), cm, event.SeverityInfo, "Synced", "synced", nil)).To(Succeed())
		g.Expect(received.Load()).To(Equal(int32(1)))
	})
}

func TestAccessOptions(t *testing.T) {
	g := NewWithT(t)
	var o AccessOptions
	fs := newFlagSetWith(&o)
	g.Expect(fs.Parse(nil)).To(Succeed())
	g.Expect(o).To(Equal(AccessOptions{}))
	g.Expect(o.AuthorizerOptions()).To(BeEmpty())
	g.Expect(o.ImpersonationOptions()).To(BeEmpty())

	g.Expect(fs.Parse([]string{"--default-service-account=tenant", "--no-cross-namespace-refs"})).To(Succeed())
	g.Expect(o).To(Equal(AccessOptions{DefaultServiceAccount: "tenant", NoCrossNamespaceRefs: true}))
	g.Expect(o.AuthorizerOptions()).To(HaveLen(1))
	g.Expect(o.ImpersonationOptions()).To(HaveLen(1))
}
