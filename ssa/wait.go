package ssa

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Defaults of WaitOptions.
const (
	// DefaultReadyTimeout bounds Wait and WaitForTermination when
	// WaitOptions.Timeout is zero.
	DefaultReadyTimeout = 5 * time.Minute
	// DefaultPollInterval is how often a wait lists objects it cannot
	// watch, when WaitOptions.Interval is zero.
	DefaultPollInterval = 2 * time.Second
)

var (
	// ErrWaitTimeout means a wait reached its timeout before every object
	// was ready or gone.
	ErrWaitTimeout = errors.New("timed out")
	// ErrObjectFailed means a wait with FailFast saw an object kstatus
	// reports Failed (a Stalled condition, a failed Job, ...). Waiting
	// longer does not help until the object changes.
	ErrObjectFailed = errors.New("object failed")
)

// WaitOptions configure one wait. The zero value waits up to
// DefaultReadyTimeout, polls every DefaultPollInterval where it cannot
// watch, and keeps waiting on failed objects.
type WaitOptions struct {
	// Timeout bounds the wait. Default (zero or negative)
	// DefaultReadyTimeout.
	Timeout time.Duration
	// Interval is how often objects are listed where they cannot be
	// watched (no watch client, or the watch is refused). Default (zero or
	// negative) DefaultPollInterval. Watched objects are seen as soon as
	// they change.
	Interval time.Duration
	// FailFast ends Wait with ErrObjectFailed as soon as an object is
	// Failed. Default false: a failed object may still recover, so the wait
	// goes on until the timeout. WaitForTermination ignores it.
	FailFast bool
}

// PendingObject is an object a wait ended without: not yet Current for
// Wait, not yet gone for WaitForTermination.
type PendingObject struct {
	// ID names the object.
	ID ObjectID
	// Status is the object's kstatus status when the wait ended:
	// InProgress, Failed, Current, Terminating, NotFound, or Unknown when
	// the object could not be read or has not been seen.
	Status status.Status
	// Message says why, as kstatus or the apiserver put it.
	Message string
}

// String returns "<display id> <status>: <message>".
func (p PendingObject) String() string {
	s := p.ID.Display() + " " + string(p.Status)
	if p.Message != "" {
		s += ": " + p.Message
	}
	return s
}

// WaitError reports a wait that ended before every object was ready or
// gone. It wraps ErrWaitTimeout, ErrObjectFailed, or the error of the
// caller's context.
type WaitError struct {
	// Op is "wait" or "wait for termination".
	Op string
	// Pending lists the objects the wait did not see ready or gone, sorted
	// by id. With ErrObjectFailed the failed objects come first.
	Pending []PendingObject
	// Err says why the wait ended.
	Err error
}

// Error names the operation, the reason and every pending object.
func (e *WaitError) Error() string {
	parts := make([]string, len(e.Pending))
	for i, p := range e.Pending {
		parts[i] = p.String()
	}
	return fmt.Sprintf("%s: %v: %d not ready: %s", e.Op, e.Err, len(e.Pending), strings.Join(parts, "; "))
}

// Unwrap returns the reason the wait ended.
func (e *WaitError) Unwrap() error { return e.Err }

// Wait blocks until kstatus reports every object of objs Current, and
// returns nil then. It watches one GroupKind and namespace at a time
// (see WithWatchClient) and falls back to listing every opts.Interval
// where it cannot watch.
//
// It returns a *WaitError wrapping ErrObjectFailed when opts.FailFast is
// set and an object is Failed, wrapping ErrWaitTimeout when opts.Timeout
// passes, and wrapping ctx.Err() when ctx ends first.
func (m *ResourceManager) Wait(ctx context.Context, objs []*unstructured.Unstructured, opts WaitOptions) error {
	return m.wait(ctx, waitTargetsOf(objs), opts, false)
}

// WaitIDs is Wait for objects named by id; their API versions are those
// the apiserver prefers.
func (m *ResourceManager) WaitIDs(ctx context.Context, ids []ObjectID, opts WaitOptions) error {
	return m.wait(ctx, waitTargetsOfIDs(ids), opts, false)
}

// WaitForTermination blocks until none of objs exists any more, as after
// a delete, and returns nil then. Objects held by finalizers count until
// the finalizers are removed. An object of objs that carries a UID is
// gone once its name holds an object with another UID (recreated, say by
// its owner). It returns the errors Wait returns, except ErrObjectFailed.
func (m *ResourceManager) WaitForTermination(ctx context.Context, objs []*unstructured.Unstructured, opts WaitOptions) error {
	return m.wait(ctx, waitTargetsOf(objs), opts, true)
}

// WaitForTerminationIDs is WaitForTermination for objects named by id,
// such as those of the ChangeSet of a delete or prune. An id carries no
// UID, so any object under the name counts as still there.
func (m *ResourceManager) WaitForTerminationIDs(ctx context.Context, ids []ObjectID, opts WaitOptions) error {
	return m.wait(ctx, waitTargetsOfIDs(ids), opts, true)
}

// waitTarget is one object a wait or delete works on; gvk.Version is
// empty when unknown.
type waitTarget struct {
	id  ObjectID
	gvk schema.GroupVersionKind
	uid types.UID // empty when unknown
}

func waitTargetsOf(objs []*unstructured.Unstructured) []waitTarget {
	out := make([]waitTarget, len(objs))
	for i, o := range objs {
		out[i] = waitTarget{id: IDOf(o), gvk: o.GroupVersionKind(), uid: o.GetUID()}
	}
	return out
}

func waitTargetsOfIDs(ids []ObjectID) []waitTarget {
	out := make([]waitTarget, len(ids))
	for i, id := range ids {
		out[i] = waitTarget{id: id, gvk: schema.GroupVersionKind{Group: id.Group, Kind: id.Kind}}
	}
	return out
}

// waitGroup is the targets of one GroupKind and namespace, observed by one
// list and one watch.
type waitGroup struct {
	gvk       schema.GroupVersionKind
	namespace string
	names     map[string]ObjectID
	// uids holds the UID a termination wait waits out, by name; an
	// object under the name with another UID is a new one.
	uids      map[string]types.UID
	terminate bool
}

// observe returns what u, one of g's objects, says about id.
func (g *waitGroup) observe(id ObjectID, u *unstructured.Unstructured) observation {
	if g.terminate {
		if uid := g.uids[u.GetName()]; uid != "" && u.GetUID() != uid {
			return observation{id: id, status: status.NotFoundStatus, message: "replaced by a new object"}
		}
	}
	return kstatusOf(id, u)
}

// observation is what a wait learned about one object.
type observation struct {
	id      ObjectID
	status  status.Status
	message string
}

func (m *ResourceManager) watchClient() client.WithWatch {
	if m.opts.watcher != nil {
		return m.opts.watcher
	}
	if w, ok := m.client.(client.WithWatch); ok {
		return w
	}
	return nil
}

// wait watches targets until each is Current (or gone, when terminate is
// set).
func (m *ResourceManager) wait(ctx context.Context, targets []waitTarget, opts WaitOptions, terminate bool) error {
	op := "wait"
	if terminate {
		op = "wait for termination"
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultReadyTimeout
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultPollInterval
	}

	states := map[ObjectID]observation{}
	groups := map[schema.GroupKind]map[string]*waitGroup{}
	var order []*waitGroup
	for _, t := range targets {
		if _, dup := states[t.id]; dup {
			continue
		}
		states[t.id] = observation{id: t.id, status: status.UnknownStatus, message: "not observed yet"}
		gk := t.gvk.GroupKind()
		if groups[gk] == nil {
			groups[gk] = map[string]*waitGroup{}
		}
		g := groups[gk][t.id.Namespace]
		if g == nil {
			g = &waitGroup{gvk: t.gvk, namespace: t.id.Namespace, names: map[string]ObjectID{}, uids: map[string]types.UID{}, terminate: terminate}
			groups[gk][t.id.Namespace] = g
			order = append(order, g)
		} else if g.gvk.Version == "" {
			g.gvk.Version = t.gvk.Version
		}
		g.names[t.id.Name] = t.id
		if t.uid != "" {
			g.uids[t.id.Name] = t.uid
		}
	}
	if len(states) == 0 {
		return nil
	}

	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	updates := make(chan observation)
	lists := make(chan struct{}, m.opts.concurrency)
	var wg sync.WaitGroup
	for _, g := range order {
		wg.Go(func() { m.observe(wctx, g, opts.Interval, terminate, lists, updates) })
	}
	defer wg.Wait() // after cancel, which runs first
	defer cancel()

	done := func(o observation) bool {
		if terminate {
			return o.status == status.NotFoundStatus
		}
		return o.status == status.CurrentStatus
	}
	remaining := len(states)
	for {
		select {
		case o := <-updates:
			prev := states[o.id]
			states[o.id] = o
			switch {
			case done(o) && !done(prev):
				remaining--
			case !done(o) && done(prev):
				remaining++
			}
			if remaining == 0 {
				return nil
			}
			if !terminate && opts.FailFast && o.status == status.FailedStatus {
				return &WaitError{Op: op, Pending: pendingOf(states, done), Err: ErrObjectFailed}
			}
		case <-wctx.Done():
			err := ctx.Err()
			if err == nil {
				err = fmt.Errorf("%w after %s", ErrWaitTimeout, timeout)
			}
			return &WaitError{Op: op, Pending: pendingOf(states, done), Err: err}
		}
	}
}

// pendingOf returns the observations not done, failed ones first, then by
// id.
func pendingOf(states map[ObjectID]observation, done func(observation) bool) []PendingObject {
	var out []PendingObject
	for _, o := range states {
		if !done(o) {
			out = append(out, PendingObject{ID: o.id, Status: o.status, Message: o.message})
		}
	}
	slices.SortFunc(out, func(a, b PendingObject) int {
		af, bf := a.Status == status.FailedStatus, b.Status == status.FailedStatus
		switch {
		case af && !bf:
			return -1
		case bf && !af:
			return 1
		}
		return compareIDs(a.ID, b.ID)
	})
	return out
}

// observe reports the state of g's objects until ctx ends: a list, then
// a watch from the list's resource version, listing again whenever the
// watch ends; where watching fails it lists every interval instead.
func (m *ResourceManager) observe(ctx context.Context, g *waitGroup, interval time.Duration, terminate bool, lists chan struct{}, out chan<- observation) {
	send := func(o observation) bool {
		select {
		case out <- o:
			return true
		case <-ctx.Done():
			return false
		}
	}
	sendAll := func(st status.Status, msg string) bool {
		for _, id := range g.names {
			if !send(observation{id: id, status: st, message: msg}) {
				return false
			}
		}
		return true
	}
	sleep := func() bool {
		t := time.NewTimer(interval)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}

	watcher := m.watchClient()
	lister := client.Reader(m.client)
	if watcher != nil {
		lister = watcher
	}
	var mapping *meta.RESTMapping
	for mapping == nil {
		mp, err := m.restMapping(g.gvk)
		switch {
		case err == nil:
			mapping = mp
		case meta.IsNoMatchError(err) && terminate:
			// No such kind is served, so none of its objects exists.
			sendAll(status.NotFoundStatus, "kind not served")
			return
		case meta.IsNoMatchError(err):
			if !sendAll(status.NotFoundStatus, "kind not served") || !sleep() {
				return
			}
		default:
			if !sendAll(status.UnknownStatus, err.Error()) || !sleep() {
				return
			}
		}
	}
	g.gvk = mapping.GroupVersionKind
	if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		g.namespace = ""
	}
	var sel fields.Selector
	if len(g.names) == 1 {
		for name := range g.names {
			sel = fields.OneTermEqualSelector("metadata.name", name)
		}
	}

	canWatch := watcher != nil
	for {
		rv, err := m.listGroup(ctx, lister, g, sel, lists, send)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if !sendAll(status.UnknownStatus, err.Error()) || !sleep() {
				return
			}
			continue
		}
		if !canWatch {
			if !sleep() {
				return
			}
			continue
		}
		switch m.watchGroup(ctx, watcher, g, sel, rv, send) {
		case watchStopped:
			return
		case watchFailed:
			canWatch = false
			if !sleep() {
				return
			}
		case watchExpired:
			// List again and watch from the new resource version.
		}
	}
}

// restMapping maps gvk, or its GroupKind to the version the apiserver
// prefers when gvk's version is unknown or cannot be mapped (no longer
// served, say).
func (m *ResourceManager) restMapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	mapper := m.client.RESTMapper()
	if gvk.Version != "" {
		if mp, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err == nil {
			return mp, nil
		}
	}
	return mapper.RESTMapping(gvk.GroupKind())
}

// listGroup lists g's objects, reports each target's state and returns
// the list's resource version.
func (m *ResourceManager) listGroup(ctx context.Context, r client.Reader, g *waitGroup, sel fields.Selector, lists chan struct{}, send func(observation) bool) (string, error) {
	select {
	case lists <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(g.gvk.GroupVersion().WithKind(g.gvk.Kind + "List"))
	err := r.List(ctx, list, &client.ListOptions{Namespace: g.namespace, FieldSelector: sel})
	<-lists
	if err != nil {
		return "", fmt.Errorf("list %s: %w", g.gvk.Kind, err)
	}
	seen := map[string]bool{}
	for i := range list.Items {
		item := &list.Items[i]
		id, ok := g.names[item.GetName()]
		if !ok {
			continue
		}
		seen[item.GetName()] = true
		if !send(g.observe(id, item)) {
			return "", ctx.Err()
		}
	}
	for name, id := range g.names {
		if !seen[name] && !send(observation{id: id, status: status.NotFoundStatus, message: "not found"}) {
			return "", ctx.Err()
		}
	}
	return list.GetResourceVersion(), nil
}

// watchOutcome says why watchGroup returned.
type watchOutcome int

const (
	watchStopped watchOutcome = iota // ctx ended
	watchExpired                     // the watch ended or its resource version expired: list again
	watchFailed                      // watching is refused or broken: poll
)

// watchGroup reports changes to g's objects from resource version rv on.
func (m *ResourceManager) watchGroup(ctx context.Context, w client.WithWatch, g *waitGroup, sel fields.Selector, rv string, send func(observation) bool) watchOutcome {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(g.gvk.GroupVersion().WithKind(g.gvk.Kind + "List"))
	wi, err := w.Watch(ctx, list, &client.ListOptions{
		Namespace:     g.namespace,
		FieldSelector: sel,
		Raw:           &metav1.ListOptions{ResourceVersion: rv, AllowWatchBookmarks: true},
	})
	if err != nil {
		if ctx.Err() != nil {
			return watchStopped
		}
		return watchFailed
	}
	defer wi.Stop()
	for {
		select {
		case <-ctx.Done():
			return watchStopped
		case ev, ok := <-wi.ResultChan():
			if !ok {
				if ctx.Err() != nil {
					return watchStopped
				}
				return watchExpired
			}
			switch ev.Type {
			case watch.Error:
				if apierrors.IsResourceExpired(apierrors.FromObject(ev.Object)) || apierrors.IsGone(apierrors.FromObject(ev.Object)) {
					return watchExpired
				}
				return watchFailed
			case watch.Added, watch.Modified, watch.Deleted:
				u, ok := ev.Object.(*unstructured.Unstructured)
				if !ok {
					return watchFailed
				}
				id, ok := g.names[u.GetName()]
				if !ok {
					continue
				}
				o := observation{id: id, status: status.NotFoundStatus, message: "deleted"}
				if ev.Type != watch.Deleted {
					o = g.observe(id, u)
				}
				if !send(o) {
					return watchStopped
				}
			}
		}
	}
}

// kstatusOf computes the kstatus of u.
func kstatusOf(id ObjectID, u *unstructured.Unstructured) observation {
	res, err := status.Compute(u)
	if err != nil {
		return observation{id: id, status: status.UnknownStatus, message: err.Error()}
	}
	return observation{id: id, status: res.Status, message: res.Message}
}
