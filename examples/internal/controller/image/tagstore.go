package image

import (
	"slices"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// DefaultMaxTags is the default of ImageRepositoryReconciler.MaxTags.
const DefaultMaxTags = 10000

// TagSet is the result of one scan of an ImageRepository.
type TagSet struct {
	// CanonicalName is the repository's full name, with its registry.
	CanonicalName string
	// Tags are the tags found, after the exclusion list, in lexical order.
	Tags []string
	// ScanTime is when the scan finished.
	ScanTime time.Time
}

// TagStore holds the last scan of each ImageRepository, in memory, for the
// ImagePolicies that rank its tags. The zero value is not usable; make one
// with NewTagStore and give it to both reconcilers. It is safe for
// concurrent use.
type TagStore struct {
	mu   sync.RWMutex
	sets map[types.NamespacedName]TagSet
}

// NewTagStore returns an empty store.
func NewTagStore() *TagStore {
	return &TagStore{sets: map[types.NamespacedName]TagSet{}}
}

// Set records the scan of the ImageRepository key, replacing the previous
// one. The store keeps its own copy of the tags.
func (s *TagStore) Set(key types.NamespacedName, set TagSet) {
	set.Tags = slices.Clone(set.Tags)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sets[key] = set
}

// Get returns the last scan of the ImageRepository key, and false when it
// has not been scanned since the store was made. The caller must not
// modify the returned tags.
func (s *TagStore) Get(key types.NamespacedName) (TagSet, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	set, ok := s.sets[key]
	return set, ok
}

// Delete forgets the ImageRepository key.
func (s *TagStore) Delete(key types.NamespacedName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sets, key)
}
