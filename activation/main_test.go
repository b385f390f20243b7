package activation

import (
	"testing"

	"github.com/portalloc/ports/internal/testchild"
)

// childEnv names the environment variable that makes the test binary run
// as a helper process instead of running tests; its value names the role.
const childEnv = "ACTIVATION_TEST_CHILD"

// childRoles are the helper processes the tests start by re-executing the
// test binary (os.Args[0]).
var childRoles = map[string]func() error{}

func TestMain(m *testing.M) {
	testchild.Main(m, childEnv, childRoles)
}
