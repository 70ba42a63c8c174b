package matchers

import (
	"context"
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ExistMatcher matches an object that the API server (or a cache) behind
// a client.Reader holds under the object's key, and that optionally
// satisfies further matchers when read. It is a [types.GomegaMatcher];
// like most Gomega matchers it remembers its last match for the failure
// message, so use one per assertion and not from several goroutines.
type ExistMatcher struct {
	ctx    context.Context // a Gomega matcher's Match takes no ctx: kept for every read
	reader client.Reader
	that   []types.GomegaMatcher

	found  client.Object       // the object read by the last Match, or nil
	failed types.GomegaMatcher // the matcher of that which failed last
}

var _ types.GomegaMatcher = (*ExistMatcher)(nil)

// Exist matches a client.Object (a typed object or an
// *unstructured.Unstructured with its kind set) that reader returns for
// the object's namespace and name. Each Match reads the object again into
// a copy, leaving the actual value as it is, so that
//
//	g.Eventually(obj).Should(matchers.Exist(ctx, c))
//
// polls the API server. A NotFound answer fails the match; any other error
// of reader (forbidden, unknown kind, ctx done) is returned as the match's
// error. ctx bounds every read; a Gomega matcher gets no ctx of its own.
func Exist(ctx context.Context, reader client.Reader) *ExistMatcher {
	return &ExistMatcher{ctx: ctx, reader: reader}
}

// That also requires the object as read from the reader to satisfy every
// one of ms, such as [HaveObservedGeneration] or [BeReady]:
//
//	g.Eventually(obj).Should(matchers.Exist(ctx, c).That(matchers.BeReady()))
//
// Default: no further matcher.
func (m *ExistMatcher) That(ms ...types.GomegaMatcher) *ExistMatcher {
	c := *m
	c.that = append(append([]types.GomegaMatcher(nil), m.that...), ms...)
	c.found, c.failed = nil, nil
	return &c
}

// Match implements types.GomegaMatcher.
func (m *ExistMatcher) Match(actual any) (bool, error) {
	m.found, m.failed = nil, nil
	_, found, err := read(m.ctx, m.reader, actual)
	if err != nil || found == nil {
		return false, err
	}
	m.found = found
	for _, inner := range m.that {
		ok, err := inner.Match(found)
		if err != nil {
			return false, fmt.Errorf("%s: %w", describeWith(found, m.reader), err)
		}
		if !ok {
			m.failed = inner
			return false, nil
		}
	}
	return true, nil
}

// FailureMessage implements types.GomegaMatcher.
func (m *ExistMatcher) FailureMessage(actual any) string {
	what := describeWith(actual, m.reader)
	switch {
	case m.found == nil:
		return fmt.Sprintf("Expected %s to exist, it was not found", what)
	case m.failed != nil:
		return fmt.Sprintf("Expected %s to exist and match, it exists but:\n%s", what, m.failed.FailureMessage(m.found))
	default:
		return fmt.Sprintf("Expected %s to exist", what)
	}
}

// NegatedFailureMessage implements types.GomegaMatcher.
func (m *ExistMatcher) NegatedFailureMessage(actual any) string {
	what := describeWith(actual, m.reader)
	if len(m.that) == 0 || m.found == nil {
		return fmt.Sprintf("Expected %s not to exist, it does%s", what, identity(m.found))
	}
	msgs := make([]string, 0, len(m.that))
	for _, inner := range m.that {
		msgs = append(msgs, inner.NegatedFailureMessage(m.found))
	}
	return fmt.Sprintf("Expected %s not to exist and match, it exists%s and:\n%s", what, identity(m.found), strings.Join(msgs, "\n"))
}

// goneMatcher matches an object the reader no longer holds.
type goneMatcher struct {
	ctx    context.Context // a Gomega matcher's Match takes no ctx: kept for every read
	reader client.Reader

	found    client.Object // what the last Match read, or nil
	replaced bool          // found has another UID than the actual object
}

// BeGone matches a client.Object (typed, or an *unstructured.Unstructured
// with its kind set) that reader no longer returns: a NotFound answer for
// its namespace and name, or an object there with another UID than the
// actual object's (it was deleted and made again). Each Match reads the
// object again into a copy, so that
//
//	g.Eventually(obj).Should(matchers.BeGone(ctx, c))
//
// waits for a deletion, finalizers included; the failure message says
// whether the object is being deleted and which finalizers hold it. Any
// error of reader other than NotFound is returned as the match's error.
// ctx bounds every read.
//
// As with testenv's DeleteAndWait, a Namespace counts as gone once it is
// Terminating: the test control plane runs no namespace controller to
// finish the deletion.
func BeGone(ctx context.Context, reader client.Reader) types.GomegaMatcher {
	return &goneMatcher{ctx: ctx, reader: reader}
}

func (m *goneMatcher) Match(actual any) (bool, error) {
	m.found, m.replaced = nil, false
	obj, found, err := read(m.ctx, m.reader, actual)
	if err != nil {
		return false, err
	}
	if found == nil {
		return true, nil
	}
	m.found = found
	if uid := obj.GetUID(); uid != "" && found.GetUID() != uid {
		m.replaced = true
		return true, nil
	}
	if ns, ok := found.(*corev1.Namespace); ok && ns.Status.Phase == corev1.NamespaceTerminating {
		return true, nil
	}
	return false, nil
}

func (m *goneMatcher) FailureMessage(actual any) string {
	what := describeWith(actual, m.reader)
	if m.found == nil {
		return fmt.Sprintf("Expected %s to be gone", what)
	}
	state := "it is not being deleted"
	if ts := m.found.GetDeletionTimestamp(); ts != nil {
		state = fmt.Sprintf("it is being deleted since %s", ts.UTC().Format("2006-01-02T15:04:05Z"))
		if f := m.found.GetFinalizers(); len(f) > 0 {
			state += fmt.Sprintf(", held by finalizers [%s]", strings.Join(f, " "))
		}
	}
	return fmt.Sprintf("Expected %s to be gone, it still exists%s: %s", what, identity(m.found), state)
}

func (m *goneMatcher) NegatedFailureMessage(actual any) string {
	what := describeWith(actual, m.reader)
	switch {
	case m.replaced:
		return fmt.Sprintf("Expected %s not to be gone, it was replaced by another object%s", what, identity(m.found))
	case m.found != nil:
		return fmt.Sprintf("Expected %s not to be gone, it is Terminating", what)
	default:
		return fmt.Sprintf("Expected %s not to be gone, it was not found", what)
	}
}

// read gets actual, a client.Object, from reader into a copy. It returns
// actual as a client.Object and the copy, or a nil copy when reader
// answers NotFound.
func read(ctx context.Context, reader client.Reader, actual any) (obj, found client.Object, err error) {
	obj, err = objectOf(actual)
	if err != nil {
		return nil, nil, err
	}
	probe, ok := obj.DeepCopyObject().(client.Object)
	if !ok {
		return nil, nil, fmt.Errorf("copy %s: its DeepCopyObject is not a client.Object", describeWith(obj, reader))
	}
	err = reader.Get(ctx, client.ObjectKeyFromObject(obj), probe)
	switch {
	case apierrors.IsNotFound(err):
		return obj, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("get %s: %w", describeWith(obj, reader), err)
	}
	return obj, probe, nil
}

// identity names the UID and resource version of obj, for messages.
func identity(obj client.Object) string {
	if obj == nil {
		return ""
	}
	return fmt.Sprintf(" (uid %s, resourceVersion %s)", obj.GetUID(), obj.GetResourceVersion())
}
