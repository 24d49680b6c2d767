package api

type visitJSON struct {
	ApplicationID    string   `json:"application_id"`
	Date             string   `json:"date"`
	IdentityChecked  bool     `json:"identity_checked"`
	IdentityDocument string   `json:"identity_document"`
	PINFormReceived  bool     `json:"pin_form_received"`
	ItemsReturned    []string `json:"items_returned"`
	Note             string   `json:"note"`
	Actor            string   `json:"actor"`
	UpdatedAt        string   `json:"updated_at"`
}

type mailingJSON struct {
	ID                int64   `json:"id"`
	Date              string  `json:"date"`
	TrackingNumber    string  `json:"tracking_number"`
	Outcome           string  `json:"outcome"` // "", delivered or returned
	OutcomeDate       string  `json:"outcome_date"`
	ReturnReason      *string `json:"return_reason"`
	ReturnReasonLabel *string `json:"return_reason_label"`
	Note              string  `json:"note"`
	Actor             string  `json:"actor"`
	CreatedAt         string  `json:"created_at"`
}

type atAppStepsJSON struct {
	Mail      bool `json:"mail"`
	Delivered bool `json:"delivered"`
	Return    bool `json:"return"`
	Pickup    bool `json:"pickup"`
}

type atAppJSON struct {
	wfCardWorkflowJSON
	Visit    *visitJSON     `json:"visit"`
	Mailings []mailingJSON  `json:"mailings"`
	Steps    atAppStepsJSON `json:"steps"`
}

type issuedCardJSON struct {
	Card     wfWorkflowCardJSON `json:"card"`
	IssuedAt string             `json:"issued_at"`
	IssuedBy string             `json:"issued_by"`
	How      string             `json:"how"`
}

type issuedListJSON struct {
	Date  string           `json:"date"`
	Cards []issuedCardJSON `json:"cards"`
}
