// The page's Content-Security-Policy allows stylesheets from the server only (`style-src 'self'`, no
// 'unsafe-inline', no nonce). CodeMirror and xterm.js create <style> elements at run time for their themes and
// measurements, which that policy blocks. Constructed stylesheets (`new CSSStyleSheet()` adopted by the document)
// are not inline markup and are allowed, so a <style> created by script becomes an inert <flotilla-style> element
// whose text feeds a constructed sheet while it is in the document. Style attributes set through the CSSOM
// (`el.style.x = ...`, which Preact and both libraries use) are allowed by the policy as they are.

const TAG = 'flotilla-style';

export function installStyleShim(doc: Document = document): void {
  const view = doc.defaultView;
  if (!view || !('adoptedStyleSheets' in doc) || view.customElements.get(TAG)) return;
  const win = view;

  class ConstructedStyle extends win.HTMLElement {
    readonly sheet = new win.CSSStyleSheet();
    private css = '';

    override get textContent(): string {
      return this.css;
    }

    override set textContent(text: string | null) {
      this.css = text ?? '';
      this.sheet.replaceSync(this.css);
    }

    override get innerHTML(): string {
      return this.css;
    }

    override set innerHTML(text: string) {
      this.textContent = text;
    }

    /** style-mod and xterm only append text or set textContent; appending a text node adds to the sheet. */
    override appendChild<T extends Node>(node: T): T {
      this.textContent = this.css + (node.textContent ?? '');
      return node;
    }

    connectedCallback(): void {
      const d = this.ownerDocument;
      if (!d.adoptedStyleSheets.includes(this.sheet)) d.adoptedStyleSheets = [...d.adoptedStyleSheets, this.sheet];
    }

    disconnectedCallback(): void {
      const d = this.ownerDocument;
      d.adoptedStyleSheets = d.adoptedStyleSheets.filter((s) => s !== this.sheet);
    }
  }
  win.customElements.define(TAG, ConstructedStyle);

  const create = doc.createElement.bind(doc) as (tag: string, o?: ElementCreationOptions) => HTMLElement;
  doc.createElement = ((tag: string, o?: ElementCreationOptions) => create(String(tag).toLowerCase() === 'style' ? TAG : tag, o)) as Document['createElement'];
}
