package web

import (
	"html/template"
	"regexp"
	"strings"
)

// webAddress finds https:// addresses in a city's text. Only https: a
// text can never make a javascript: or data: link.
var webAddress = regexp.MustCompile(`https://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+`)

// paragraphs turns a plain text into HTML: every character escaped, a
// blank line starts a paragraph, a line break is <br>, and https://
// addresses become links. No markup the city types ever reaches the page.
func paragraphs(text string) template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		para = strings.Trim(para, "\n")
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(linkify(line))
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}

// linkify escapes a line, making its https:// addresses links. A trailing
// full stop or bracket stays outside the link.
func linkify(line string) string {
	var b strings.Builder
	last := 0
	for _, m := range webAddress.FindAllStringIndex(line, -1) {
		url := strings.TrimRight(line[m[0]:m[1]], ".,;:!?)]'")
		end := m[0] + len(url)
		b.WriteString(template.HTMLEscapeString(line[last:m[0]]))
		esc := template.HTMLEscapeString(url)
		b.WriteString(`<a href="` + esc + `">` + esc + `</a>`)
		last = end
	}
	b.WriteString(template.HTMLEscapeString(line[last:]))
	return b.String()
}
