package metrics

import "errors"

func isOptionError(err error) bool {
	var oe *OptionError
	return errors.As(err, &oe)
}
