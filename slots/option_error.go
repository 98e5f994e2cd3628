package slots

import "fmt"

// OptionError reports an invalid option given to NewPool (a PoolOption) or
// NewBudget (a BudgetOption): which option, and why.
type OptionError struct {
	Option string // the option's constructor, such as "WithTTL"
	Reason string // what is wrong and what to use instead
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("slots: invalid option %s: %s", e.Option, e.Reason)
}
