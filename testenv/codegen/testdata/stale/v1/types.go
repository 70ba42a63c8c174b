package v1

// Settings gained Labels after its deep-copy functions were generated.
type Settings struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
}
