//go:build xla

package bench

import (
	"fmt"

	"github.com/gomlx/go-xla/compute/xla" // registers the XLA backend as "xla"; needs cgo
	"github.com/gomlx/go-xla/pjrt"
)

// minPJRTMinor is the PJRT C API version go-xla v0.4.1 is built against
// (0.104). go-xla does not check a plugin's version; an older plugin's
// function table is shorter than the one go-xla reads.
const minPJRTMinor = 104

// In builds with -tags xla, GoMLX's automatic plugin install is off:
// resolveXLA runs it, only when no plugin is found and
// CLBENCH_XLA_AUTO_INSTALL allows it.
func init() {
	xla.EnableAutoInstall(false)
	xlaInstall = xla.AutoInstall
	xlaCheckVersion = checkPJRTVersion
}

// checkPJRTVersion loads the plugin (GoMLX keeps it loaded for the
// backend) and rejects a PJRT C API older than go-xla's.
func checkPJRTVersion(path string) error {
	p, err := pjrt.GetPlugin(path)
	if err != nil {
		return fmt.Errorf("loading PJRT plugin %s: %w", path, err)
	}
	major, minor := p.Version()
	if major == 0 && minor < minPJRTMinor {
		return fmt.Errorf("PJRT plugin %s implements PJRT C API %d.%d; GoMLX's XLA backend needs 0.%d or later",
			path, major, minor, minPJRTMinor)
	}
	return nil
}
