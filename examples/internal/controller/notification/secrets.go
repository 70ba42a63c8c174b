package notification

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
)

const (
	// providerSecretIndex indexes Providers by the names of the Secrets
	// their spec.secretRef and spec.certSecretRef name.
	providerSecretIndex = "notification.sluice.dev/provider-secrets"
	// receiverSecretIndex indexes Receivers by the name of the Secret their
	// spec.secretRef names.
	receiverSecretIndex = "notification.sluice.dev/receiver-secret"
)

// providerSecrets returns the names of the Secrets a Provider refers to.
func providerSecrets(o client.Object) []string {
	p, ok := o.(*notificationv1.Provider)
	if !ok {
		return nil
	}
	var names []string
	if p.Spec.SecretRef != nil && p.Spec.SecretRef.Name != "" {
		names = append(names, p.Spec.SecretRef.Name)
	}
	if p.Spec.CertSecretRef != nil && p.Spec.CertSecretRef.Name != "" &&
		(len(names) == 0 || names[0] != p.Spec.CertSecretRef.Name) {
		names = append(names, p.Spec.CertSecretRef.Name)
	}
	return names
}

// receiverSecrets returns the name of the Secret a Receiver refers to.
func receiverSecrets(o client.Object) []string {
	rcv, ok := o.(*notificationv1.Receiver)
	if !ok || rcv.Spec.SecretRef.Name == "" {
		return nil
	}
	return []string{rcv.Spec.SecretRef.Name}
}

// watchSecrets indexes the objects of obj's kind by the names of the
// Secrets they refer to (index, extract), and adds to b a watch that
// enqueues, when a Secret is created, changed or deleted, the objects in the
// Secret's namespace that refer to it, listed from the manager's cache into
// newList(). Only the Secrets' metadata is watched and cached: the
// reconcilers read the data themselves.
func watchSecrets(mgr ctrl.Manager, b *builder.Builder, obj client.Object, newList func() client.ObjectList,
	index string, extract client.IndexerFunc) (*builder.Builder, error) {
	// IndexField only uses ctx to wait for the informer it may create; the
	// informer itself lives as long as the manager.
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), obj, index, extract); err != nil {
		return nil, fmt.Errorf("index %T by secret: %w", obj, err)
	}
	cache := mgr.GetCache()
	referrers := func(ctx context.Context, secret client.Object) []reconcile.Request {
		list := newList()
		err := cache.List(ctx, list, client.InNamespace(secret.GetNamespace()), client.MatchingFields{index: secret.GetName()})
		if err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "list objects referring to a secret",
				"secret", client.ObjectKeyFromObject(secret))
			return nil
		}
		items, err := apimeta.ExtractList(list)
		if err != nil {
			return nil
		}
		out := make([]reconcile.Request, 0, len(items))
		for _, item := range items {
			if o, ok := item.(client.Object); ok {
				out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(o)})
			}
		}
		return out
	}
	return b.Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(referrers), builder.OnlyMetadata), nil
}
