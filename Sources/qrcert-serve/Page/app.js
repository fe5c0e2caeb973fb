// Placeholder: branch `page` provides the page script.
