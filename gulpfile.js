const { src, dest, parallel } = require('gulp');

/** Icons next to n8n nodes and credentials. */
function n8nIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

/** Node-RED needs each node's .html, locales and icons beside its compiled .js. */
function nodeRedAssets() {
	return src(['node-red/**/*.html', 'node-red/**/locales/**/*', 'node-red/**/icons/*'], { base: '.', encoding: false }).pipe(dest('dist'));
}

exports['build:assets'] = parallel(n8nIcons, nodeRedAssets);
