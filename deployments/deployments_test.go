// Package deployments holds the files that run complytrack in production:
// docker-compose.yml at the module root and the Kubernetes manifests here.
// Its test checks them against the config package, so a renamed setting, a
// floating image or a missing required setting fails the build, not the
// deploy.
package deployments

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/complytrack/complytrack/pkg/config"
)

// Without these complytrack does not run against MongoDB: the worker stops
// without a database, every process stops without the signing key, and a
// missing public address puts http://localhost:8080 into every e-mail link.
var required = [][]string{
	{"MONGODB_URI"},
	{"COMPLYTRACK_JWT_KEYS", "COMPLYTRACK_JWT_KEYS_FILE"},
	{"COMPLYTRACK_PUBLIC_URL"},
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string   `yaml:"image"`
	Build       any      `yaml:"build"`
	Entrypoint  any      `yaml:"entrypoint"`
	Command     any      `yaml:"command"`
	Environment any      `yaml:"environment"` // a map or a list of NAME=value
	EnvFile     []string `yaml:"env_file"`
}

type manifest struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Spec       struct {
		Template struct {
			Spec struct {
				Containers     []container `yaml:"containers"`
				InitContainers []container `yaml:"initContainers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type container struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Ports   []any    `yaml:"ports"`
	Env     []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	ReadinessProbe map[string]any `yaml:"readinessProbe"`
	LivenessProbe  map[string]any `yaml:"livenessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
}

// pinnedTag is a full version (1.2.3, v1.2.3, 1.2.3-alpine): "latest", no
// tag, or a major-only or major.minor tag move under the deployment.
var pinnedTag = regexp.MustCompile(`^v?\d+\.\d+\.\d+([-+._][0-9A-Za-z.-]+)?$`)

func imageProblem(image string) string {
	if strings.Contains(image, "@sha256:") {
		return ""
	}
	name := image[strings.LastIndex(image, "/")+1:]
	_, tag, ok := strings.Cut(name, ":")
	switch {
	case !ok:
		return fmt.Sprintf("image %s has no tag: pin it to a version", image)
	case !pinnedTag.MatchString(tag):
		return fmt.Sprintf("image %s is not pinned: use a full version tag like 1.2.3", image)
	}
	return ""
}

func settingNames() map[string]bool {
	known := map[string]bool{}
	for _, s := range config.Settings() {
		known[s.Name] = true
	}
	return known
}

// settingProblems reports variables complytrack would refuse or ignore, and
// required settings that are missing. values holds literal values only (not
// ones filled in at deploy time), which must parse as config.Load parses them.
func settingProblems(where string, names []string, values map[string]string) []string {
	known := settingNames()
	var problems []string
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
		if (strings.HasPrefix(n, "COMPLYTRACK_") || n == "MONGODB_URI") && !known[n] {
			problems = append(problems, fmt.Sprintf("%s sets %s, which is not a setting in pkg/config", where, n))
		}
	}
	for _, alternatives := range required {
		found := false
		for _, n := range alternatives {
			found = found || have[n]
		}
		if !found {
			problems = append(problems, fmt.Sprintf("%s does not set %s, which production needs", where, strings.Join(alternatives, " or ")))
		}
	}
	var environ []string
	for n, v := range values {
		if known[n] {
			environ = append(environ, n+"="+v)
		}
	}
	if _, err := config.Load(environ); err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", where, err))
	}
	return problems
}

// composeEnv reads a service's environment in either of compose's forms.
func composeEnv(env any) (map[string]string, error) {
	out := map[string]string{}
	switch e := env.(type) {
	case nil:
	case map[string]any:
		for k, v := range e {
			if v == nil {
				out[k] = ""
			} else {
				out[k] = fmt.Sprint(v)
			}
		}
	case []any:
		for _, item := range e {
			k, v, _ := strings.Cut(fmt.Sprint(item), "=")
			out[k] = v
		}
	default:
		return nil, fmt.Errorf("environment is a %T, not a map or a list", env)
	}
	return out, nil
}

// runsComplytrack tells complytrack's own services from the database and
// the mail catcher: they are built here or run a complytrack binary.
func runsComplytrack(s composeService) bool {
	return s.Build != nil || strings.Contains(fmt.Sprint(s.Entrypoint, s.Command, s.Image), "complytrack")
}

func checkCompose(src []byte) []string {
	var f composeFile
	if err := yaml.Unmarshal(src, &f); err != nil {
		return []string{"docker-compose.yml: " + err.Error()}
	}
	if len(f.Services) == 0 {
		return []string{"docker-compose.yml has no services"}
	}
	var problems []string
	for _, name := range sortedKeys(f.Services) {
		s := f.Services[name]
		where := "docker-compose.yml service " + name
		if s.Image != "" {
			if p := imageProblem(s.Image); p != "" {
				problems = append(problems, where+": "+p)
			}
		} else if s.Build == nil {
			problems = append(problems, where+" has neither an image nor a build")
		}
		if len(s.EnvFile) > 0 {
			problems = append(problems, where+" reads an env_file, which cannot be checked: set the variables in environment")
		}
		env, err := composeEnv(s.Environment)
		if err != nil {
			problems = append(problems, where+": "+err.Error())
			continue
		}
		if !runsComplytrack(s) {
			continue
		}
		literal := map[string]string{}
		for k, v := range env {
			if !strings.Contains(v, "${") {
				literal[k] = v
			}
		}
		problems = append(problems, settingProblems(where, sortedKeys(env), literal)...)
	}
	return problems
}

// checkManifests checks every Deployment's containers, with the variables
// they take from ConfigMaps and Secrets by envFrom.
func checkManifests(files map[string][]byte) []string {
	var problems []string
	type deployment struct {
		where string
		m     manifest
	}
	var deployments []deployment
	configMaps := map[string]map[string]string{}
	secrets := map[string]map[string]string{}
	for _, file := range sortedKeys(files) {
		dec := yaml.NewDecoder(bytes.NewReader(files[file]))
		for {
			var m manifest
			err := dec.Decode(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				problems = append(problems, file+": "+err.Error())
				break
			}
			where := fmt.Sprintf("%s %s %s", file, m.Kind, m.Metadata.Name)
			switch m.Kind {
			case "Deployment", "StatefulSet", "DaemonSet":
				deployments = append(deployments, deployment{where, m})
			case "ConfigMap":
				configMaps[m.Metadata.Name] = m.Data
			case "Secret":
				// Secret values are placeholders: only their names are checked.
				names := map[string]string{}
				for k := range m.StringData {
					names[k] = ""
				}
				for k := range m.Data {
					names[k] = ""
				}
				secrets[m.Metadata.Name] = names
			}
		}
	}
	if len(deployments) == 0 {
		problems = append(problems, "no Deployment in the manifests")
	}
	for _, d := range deployments {
		spec := d.m.Spec.Template.Spec
		if len(spec.Containers) == 0 {
			problems = append(problems, d.where+" has no containers")
		}
		for _, c := range append(spec.InitContainers, spec.Containers...) {
			where := d.where + " container " + c.Name
			if p := imageProblem(c.Image); p != "" {
				problems = append(problems, where+": "+p)
			}
		}
		for _, c := range spec.Containers {
			where := d.where + " container " + c.Name
			// A container that serves HTTP must say when it is ready and
			// when it is stuck (the worker serves its checks beside its
			// metrics).
			if len(c.Ports) > 0 {
				if c.ReadinessProbe == nil {
					problems = append(problems, where+" has no readinessProbe")
				}
				if c.LivenessProbe == nil {
					problems = append(problems, where+" has no livenessProbe")
				}
			}
			// A probe of a port the container does not declare fails
			// for ever: the pod is never ready, or restarted in a loop.
			for _, probe := range []struct {
				name string
				spec map[string]any
			}{{"readinessProbe", c.ReadinessProbe}, {"livenessProbe", c.LivenessProbe}} {
				if p := probePortProblem(c, probe.spec); p != "" {
					problems = append(problems, fmt.Sprintf("%s %s %s", where, probe.name, p))
				}
			}
			if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" {
				problems = append(problems, where+" has no cpu and memory requests")
			}
			if c.Resources.Limits["memory"] == "" {
				problems = append(problems, where+" has no memory limit")
			}
			var names []string
			literal := map[string]string{}
			for _, e := range c.Env {
				names = append(names, e.Name)
				literal[e.Name] = e.Value
			}
			for _, from := range c.EnvFrom {
				switch {
				case from.ConfigMapRef != nil:
					data, ok := configMaps[from.ConfigMapRef.Name]
					if !ok {
						problems = append(problems, fmt.Sprintf("%s uses ConfigMap %s, which no manifest defines", where, from.ConfigMapRef.Name))
					}
					for k, v := range data {
						names = append(names, k)
						literal[k] = v
					}
				case from.SecretRef != nil:
					data, ok := secrets[from.SecretRef.Name]
					if !ok {
						problems = append(problems, fmt.Sprintf("%s uses Secret %s, which no manifest defines", where, from.SecretRef.Name))
					}
					names = append(names, sortedKeys(data)...)
				}
			}
			sort.Strings(names)
			problems = append(problems, settingProblems(where, names, literal)...)
		}
	}
	return problems
}

// probePortProblem says what is wrong with the port an HTTP probe asks,
// by name or number, when the container declares no such port.
func probePortProblem(c container, probe map[string]any) string {
	get, ok := probe["httpGet"].(map[string]any)
	if !ok {
		return ""
	}
	want := fmt.Sprint(get["port"])
	for _, p := range c.Ports {
		port, ok := p.(map[string]any)
		if !ok {
			continue
		}
		if fmt.Sprint(port["name"]) == want || fmt.Sprint(port["containerPort"]) == want {
			return ""
		}
	}
	return fmt.Sprintf("asks port %s, which the container does not declare", want)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func readManifests(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("kubernetes/*.yml")
	paths = append(paths, more...)
	if len(paths) == 0 {
		t.Fatal("no manifests under deployments/kubernetes")
	}
	files := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = b
	}
	return files
}

func TestComposeFileIsDeployable(t *testing.T) {
	src, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkCompose(src) {
		t.Error(p)
	}
}

func TestKubernetesManifestsAreDeployable(t *testing.T) {
	files := readManifests(t)
	for _, p := range checkManifests(files) {
		t.Error(p)
	}
	// What the manifests are for: both processes, a budget and a way in.
	kinds := map[string]bool{}
	for _, b := range files {
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var m manifest
			if err := dec.Decode(&m); err != nil {
				break
			}
			kinds[m.Kind+"/"+m.Metadata.Name] = true
		}
	}
	for _, want := range []string{
		"Deployment/complytrack-api", "Deployment/complytrack-worker",
		"PodDisruptionBudget/complytrack-api", "Service/complytrack-api",
		"ConfigMap/complytrack-settings", "Secret/complytrack-secrets",
	} {
		if !kinds[want] {
			t.Errorf("the manifests define no %s", want)
		}
	}
}
