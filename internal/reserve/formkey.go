package reserve

import "context"

// FormKey returns the key that seals the public booking forms: the same
// in every process, derived from the data key (see store.DB.FormKey).
func (s *Service) FormKey(ctx context.Context) ([]byte, error) {
	return s.db.FormKey()
}
