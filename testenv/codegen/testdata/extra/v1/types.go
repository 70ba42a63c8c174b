package v1

// Settings carries no generation marker.
type Settings struct {
	Name string `json:"name"`
}
