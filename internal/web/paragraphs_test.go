package web

import "testing"

func TestParagraphsEscapeAndLinkOnlyHTTPS(t *testing.T) {
	cases := map[string]string{
		"一行目\n二行目\n\n次の段落":                      "<p>一行目<br>二行目</p><p>次の段落</p>",
		`<script>alert("x")</script>`:           "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</p>",
		"詳しくは https://example.lg.jp/a?b=1&c=2。": `<p>詳しくは <a href="https://example.lg.jp/a?b=1&amp;c=2">https://example.lg.jp/a?b=1&amp;c=2</a>。</p>`,
		"javascript:alert(1) http://example.jp": "<p>javascript:alert(1) http://example.jp</p>",
		"(https://example.jp/x).":               `<p>(<a href="https://example.jp/x">https://example.jp/x</a>).</p>`,
		`https://example.jp/"onmouseover="x`:    `<p><a href="https://example.jp/">https://example.jp/</a>&#34;onmouseover=&#34;x</p>`,
		"":                                      "",
	}
	for in, want := range cases {
		if got := string(paragraphs(in)); got != want {
			t.Errorf("paragraphs(%q)\n got %s\nwant %s", in, got, want)
		}
	}
}
