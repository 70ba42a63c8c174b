package quickstart

// The demo repository: a namespace, a configuration, a service and a
// second ConfigMap that a later commit removes.
const (
	demoRepo      = "demo"
	demoNamespace = "quickstart-demo"
	// systemNamespace holds the GitRepository and the Sync.
	systemNamespace = "sluice-system"
	demoPath        = "deploy"

	greetingBefore = "hello from Git"
	greetingAfter  = "hello again, from a new commit"
	greetingByHand = "edited by hand"
)

func demoFiles() map[string]string {
	return map[string]string{
		"README.md": "# Sluice quickstart demo\n\nEverything under deploy/ is applied to the cluster.\n",
		demoPath + "/namespace.yaml": `apiVersion: v1
kind: Namespace
metadata:
  name: ` + demoNamespace + `
`,
		demoPath + "/app-config.yaml": appConfig(greetingBefore),
		demoPath + "/web.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ` + demoNamespace + `
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
`,
		demoPath + "/feature-flags.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: feature-flags
  namespace: ` + demoNamespace + `
data:
  new-ui: "false"
`,
	}
}

func appConfig(greeting string) string {
	return `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  namespace: ` + demoNamespace + `
data:
  greeting: "` + greeting + `"
  replicas: "2"
`
}
