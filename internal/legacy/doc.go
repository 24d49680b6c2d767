// Package legacy reads the city's card ledger kept in Excel (カード管理簿,
// .xlsx): one row per card with its status written as a Japanese word,
// dates as Excel dates or text (和暦 included), and where the card is kept.
// It finds the header under any title rows, reads merged cells, skips
// blank rows and trailing totals, and checks every row, naming the Excel
// row and column of each problem. It holds no SQL and no HTTP: package
// intake applies the rows to the ledger.
package legacy
