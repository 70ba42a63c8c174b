package v1

// Settings has no committed deep-copy functions.
type Settings struct {
	Labels map[string]string `json:"labels,omitempty"`
}
