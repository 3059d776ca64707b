// Runs inside the Node-RED editor page (loaded with page.addInitScript): what the editor tests
// read off the page, as a person would see it. Plain browser JavaScript, no build step.
(function () {
	function visible(el) {
		return el.offsetParent !== null;
	}
	function text(el, length) {
		return (el.textContent || '').trim().slice(0, length);
	}

	/** Each node of the active flow as drawn: centre, and the box of node, ports, label and status. */
	function nodeBoxes() {
		var boxes = [];
		var active = RED.workspaces.active();
		RED.nodes.eachNode(function (node) {
			if (node.z !== active) return;
			var element = document.getElementById(node.id);
			if (!element) return;
			var box = element.getBBox();
			var left = node.x - node.w / 2;
			var top = node.y - node.h / 2;
			boxes.push({ id: node.id, type: node.type, label: node.name || node.type, x: node.x, y: node.y, left: left + box.x, top: top + box.y, right: left + box.x + box.width, bottom: top + box.y + box.height });
		});
		return boxes;
	}

	/** What a person would call broken in the topmost edit tray. */
	function inspectTray() {
		var trays = document.querySelectorAll('.red-ui-tray');
		var tray = trays[trays.length - 1];
		var problems = [];
		var title = text(tray.querySelector('.red-ui-tray-titlebar'), 200);
		var form = tray.querySelector('form');
		var formBox = form.getBoundingClientRect();
		form.querySelectorAll('*').forEach(function (el) {
			if (!visible(el)) return;
			var box = el.getBoundingClientRect();
			if (box.width > 0 && box.right > formBox.right + 1) problems.push('runs past the dialog\'s edge: <' + el.tagName.toLowerCase() + (el.id ? ' #' + el.id : '') + '> "' + text(el, 40) + '"');
		});
		form.querySelectorAll('.form-row > label').forEach(function (label) {
			if (!visible(label)) return;
			var lineHeight = parseFloat(getComputedStyle(label).lineHeight) || 20;
			if (label.getBoundingClientRect().height > lineHeight * 1.5) problems.push('label wraps: "' + text(label, 60) + '"');
		});
		form.querySelectorAll('.form-tips').forEach(function (tip) {
			if (!visible(tip)) return;
			var next = tip.nextElementSibling;
			while (next && !visible(next)) next = next.nextElementSibling;
			if (!next) return;
			var gap = next.getBoundingClientRect().top - tip.getBoundingClientRect().bottom;
			if (gap < 6) problems.push('tip touches what follows it (' + gap.toFixed(0) + ' px): "' + text(tip, 40) + '"');
		});
		var measure = document.createElement('canvas').getContext('2d');
		form.querySelectorAll('select').forEach(function (select) {
			if (!visible(select) || !select.selectedOptions[0]) return;
			measure.font = getComputedStyle(select).font;
			var needed = measure.measureText(select.selectedOptions[0].text).width + 30;
			if (needed > select.getBoundingClientRect().width) problems.push('select too narrow for "' + select.selectedOptions[0].text + '"');
		});
		return { title: title, problems: problems };
	}

	function showHelp(nodeId) {
		var node = RED.nodes.node(nodeId);
		RED.view.select(nodeId);
		RED.sidebar.help.show(node.type);
	}

	/** Content of the Help sidebar that runs off it or needs a scroll bar. */
	function inspectHelp() {
		var problems = [];
		var root = Array.prototype.filter.call(document.querySelectorAll('.red-ui-help'), visible)[0];
		if (!root) return ['the Help sidebar shows nothing'];
		var container = root.getBoundingClientRect();
		// Node-RED opens its sidebar 300 px wide; a wider one here would hide what runs off for a user.
		if (container.width > 320) problems.push('the Help sidebar is ' + Math.round(container.width) + ' px wide, not the default 300 px: the check would miss overflow');
		root.querySelectorAll('*').forEach(function (el) {
			var box = el.getBoundingClientRect();
			if (box.width > 0 && box.right > container.right + 1) problems.push('runs off the sidebar: <' + el.tagName.toLowerCase() + '> "' + text(el, 50) + '"');
			else if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') problems.push('needs a scroll bar: <' + el.tagName.toLowerCase() + '> "' + text(el, 50) + '"');
		});
		return problems;
	}

	function clearCurrentFlow() {
		RED.actions.invoke('core:select-all-nodes');
		RED.actions.invoke('core:delete-selection');
	}

	function ready() {
		return !!(window.RED && RED.nodes && RED.nodes.getType('mailtarget-trigger')) && document.querySelectorAll('.red-ui-palette-node').length > 0;
	}

	window.mailtargetEditorChecks = { nodeBoxes: nodeBoxes, inspectTray: inspectTray, showHelp: showHelp, inspectHelp: inspectHelp, clearCurrentFlow: clearCurrentFlow, ready: ready };
})();
