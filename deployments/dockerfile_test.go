package deployments

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// unversionedImages are base images that publish no version tag at all,
// only a moving tag and the digests it has pointed at, each with the
// reason it is allowed unpinned. Such an image is pinned by its digest
// (image:tag@sha256:…), which only the registry can give: until someone
// with access to it writes the digest in, the moving tag stays and is
// named here, rather than an invented digest that would fail the build.
var unversionedImages = map[string]string{
	// Google's distroless images are rebuilt from Debian's packages under
	// the same tag and carry no version: the digest is the only pin. Get
	// it with `docker buildx imagetools inspect
	// gcr.io/distroless/static-debian12:nonroot` and write it after the
	// tag; the digest is then pinned and this entry can go.
	"gcr.io/distroless/static-debian12:nonroot": "distroless publishes no version tags, only digests",
}

// dockerfileProblems checks every FROM line of a Dockerfile: an image must
// be pinned to a full version or a digest, as in the compose file and the
// manifests. A FROM naming an earlier stage is not an image.
func dockerfileProblems(src []byte) []string {
	var problems []string
	stages := map[string]bool{}
	froms := 0
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || !strings.EqualFold(fields[0], "FROM") {
			continue
		}
		froms++
		args := fields[1:]
		for len(args) > 0 && strings.HasPrefix(args[0], "--") { // --platform=…
			args = args[1:]
		}
		if len(args) == 0 {
			problems = append(problems, fmt.Sprintf("line %d: FROM names no image", n))
			continue
		}
		image := args[0]
		if len(args) >= 3 && strings.EqualFold(args[1], "AS") {
			stages[strings.ToLower(args[2])] = true
		}
		switch {
		case stages[strings.ToLower(image)] && !strings.ContainsAny(image, ":/@"):
			continue
		case strings.Contains(image, "$"):
			problems = append(problems, fmt.Sprintf("line %d: image %s comes from a build argument: write it out, pinned", n, image))
			continue
		}
		if _, ok := unversionedImages[image]; ok {
			continue
		}
		if p := imageProblem(image); p != "" {
			problems = append(problems, fmt.Sprintf("line %d: %s", n, p))
		}
	}
	if froms == 0 {
		problems = append(problems, "no FROM line")
	}
	return problems
}

func TestDockerfileImagesArePinned(t *testing.T) {
	src, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range dockerfileProblems(src) {
		t.Error(p)
	}
	// An exception that the Dockerfile no longer needs is removed, so the
	// list says only what is true.
	for image := range unversionedImages {
		if !bytes.Contains(src, []byte("FROM "+image+"\n")) {
			t.Errorf("the exception for %s is not used by the Dockerfile (pinned by digest now?): remove it", image)
		}
	}
}

func TestDockerfileRules(t *testing.T) {
	const good = `FROM golang:1.26.8-bookworm AS build
RUN go build ./...
FROM --platform=linux/amd64 gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
`
	tests := []struct {
		name, dockerfile, want string
	}{
		{"pinned, and the named exception", good, ""},
		{"minor version only", strings.Replace(good, "1.26.8-bookworm", "1.26-bookworm", 1), "golang:1.26-bookworm is not pinned"},
		{"latest", strings.Replace(good, "golang:1.26.8-bookworm", "golang:latest", 1), "golang:latest is not pinned"},
		{"no tag", strings.Replace(good, "golang:1.26.8-bookworm", "golang", 1), "golang has no tag"},
		{"a digest is pinned", strings.Replace(good, "golang:1.26.8-bookworm", "golang@sha256:0123abcd", 1), ""},
		{"the exception's image under another tag", strings.Replace(good, ":nonroot", ":latest", 1), "static-debian12:latest is not pinned"},
		{"the exception's image by digest", strings.Replace(good, ":nonroot", ":nonroot@sha256:0123abcd", 1), ""},
		{"an earlier stage is not an image", good + "FROM build AS test\n", ""},
		{"a build argument", "ARG BASE\nFROM ${BASE}\n", "comes from a build argument"},
		{"no FROM", "RUN true\n", "no FROM line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertProblems(t, dockerfileProblems([]byte(tt.dockerfile)), tt.want)
		})
	}
}
