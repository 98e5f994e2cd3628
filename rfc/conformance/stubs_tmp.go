package conformance

func newHealthDriver() Driver        { return stuckDriver{ErrUnsupported} }
func newSlotsDriver(p string) Driver { return stuckDriver{ErrUnsupported} }
