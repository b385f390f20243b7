package manifest_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/portalloc/ports/manifest"
)

func ExampleResolveTargetNames() {
	const manifests = `apiVersion: v1
kind: Service
metadata: {name: frontend}
spec:
  selector: {app: guestbook, tier: frontend}
  ports:
  - port: 80
    targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend}
spec:
  template:
    metadata:
      labels: {app: guestbook, tier: frontend}
    spec:
      containers:
      - name: php-redis
        image: example.com/guestbook/frontend:v5
        ports:
        - name: http
          containerPort: 8080
`
	decls, err := manifest.ReadKubernetes("guestbook.yaml", strings.NewReader(manifests))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(decls[0])
	manifest.ResolveTargetNames(decls)
	fmt.Println(decls[0])
	fmt.Println(decls[1].Object, decls[1].Image)
	// Output:
	// guestbook.yaml:7:11: default/frontend 80/tcp -> http (Service, service default/frontend, internal)
	// guestbook.yaml:7:11: default/frontend 80/tcp -> 8080 (Service, service default/frontend, internal)
	// apps/Deployment/default/frontend example.com/guestbook/frontend:v5
}

func ExampleErrKustomization() {
	_, err := manifest.ReadKubernetes("overlays/prod/kustomization.yaml", strings.NewReader("resources: [../../base]\n"))
	fmt.Println(err)
	fmt.Println(errors.Is(err, manifest.ErrKustomization))
	// Output:
	// manifest: overlays/prod/kustomization.yaml:1: a kustomization, not manifests: render it first: kubectl kustomize overlays/prod | ports check -
	// true
}
