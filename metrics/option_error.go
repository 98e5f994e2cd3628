package metrics

// OptionError reports an invalid option or argument of a constructor of this
// package (NewBandwidth, NewTrackerCollector, NewPeerManagerCollector,
// NewSelectorCollector, ...). Option names the option or argument.
type OptionError struct {
	Option string
	Reason string
}

func (e *OptionError) Error() string {
	return "metrics: invalid option " + e.Option + ": " + e.Reason
}
