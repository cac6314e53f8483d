/* planner map runtime: what folium lacks — feature binding, title, legend, place search, page API.
 *
 * Part of the planner project (MIT). Loaded in the page head after Leaflet; folium's generated script
 * calls these functions with JSON arguments written by planner/maps/base.py. Fields ending in "_html"
 * and the feature properties "pop", "tip", "lbl" are HTML that Python has already escaped; every other
 * string is plain text and only ever reaches the page through textContent or setAttribute.
 */
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var registry = {};   // layer id -> [Leaflet layer by feature index]
  var searchIndex = [];
  var groupsOf = function () { return {}; };

  /* pointToLayer for a GeoJson of points: circle markers in the given pane, with the layer's class. */
  function pointer(pane, className) {
    return function (feature, latlng) {
      var style = L.extend({}, feature.properties.style, {pane: pane, className: className});
      return L.circleMarker(latlng, style);
    };
  }

  /* onEachFeature: popup, hover tooltip or permanent label from the feature's (escaped) properties. */
  function binder(layerId) {
    var list = registry[layerId] = registry[layerId] || [];
    return function (feature, layer) {
      var p = feature.properties || {};
      list[p.i] = layer;
      if (p.pop) {
        layer.bindPopup(p.pop, {maxWidth: 400, maxHeight: 340, className: 'pl-popup', autoPanPaddingTopLeft: [60, 90]});
      }
      var point = feature.geometry && feature.geometry.type === 'Point';
      if (p.lbl) {
        var dir = p.dir || 'right';
        var offset = {right: [5, 0], left: [-5, 0], top: [0, -4], bottom: [0, 4]}[dir] || [5, 0];
        layer.bindTooltip(p.lbl, {
          permanent: true, direction: dir, offset: offset, interactive: false,
          className: 'pl-label pl-label-' + layerId + (p.minor ? ' pl-label-minor' : '')
        });
      } else if (p.tip) {
        layer.bindTooltip(p.tip, {sticky: !point, className: 'pl-tip'});
      }
    };
  }

  function stopEvents(el) {
    L.DomEvent.disableClickPropagation(el);
    L.DomEvent.disableScrollPropagation(el);
  }

  /* The title sits centred in the band between the left and right control columns. */
  function columnWidth(map, side) {
    var width = 0;
    var boxes = map.getContainer().querySelectorAll('.leaflet-' + side +
      ' .leaflet-control:not(.leaflet-control-attribution):not(.leaflet-control-scale)');
    Array.prototype.forEach.call(boxes, function (el) { width = Math.max(width, el.offsetWidth); });
    return width;
  }

  function placeTitle(map) {
    var band = map.getContainer().querySelector('.pl-title-band');
    if (!band) { return; }
    var size = map.getSize();
    var left = columnWidth(map, 'left') + 20;
    var right = columnWidth(map, 'right') + 20;
    if (size.x - left - right < 320) { left = 60; right = 10; }
    band.style.left = left + 'px';
    band.style.right = right + 'px';
  }

  function title(map, spec) {
    if (!spec.title_html) { return; }
    var band = L.DomUtil.create('div', 'pl-title-band', map.getContainer());
    var box = L.DomUtil.create('div', 'pl-title', band);
    L.DomUtil.create('div', 'pl-title-main', box).innerHTML = spec.title_html;
    if (spec.subtitle_html) {
      L.DomUtil.create('div', 'pl-title-sub', box).innerHTML = spec.subtitle_html;
    }
    stopEvents(box);
  }

  function symbol(sym) {
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('width', '30');
    svg.setAttribute('height', '16');
    svg.setAttribute('class', 'pl-sym');
    var el;
    if (sym.t === 'pt') {
      el = document.createElementNS(SVG_NS, 'circle');
      el.setAttribute('cx', '15');
      el.setAttribute('cy', '8');
      el.setAttribute('r', String(Math.min(sym.r || 5, 7)));
    } else if (sym.t === 'tx') {
      el = document.createElementNS(SVG_NS, 'text');
      el.setAttribute('x', '15');
      el.setAttribute('y', '12');
      el.setAttribute('text-anchor', 'middle');
      el.setAttribute('font-size', '11');
      el.setAttribute('font-weight', '700');
      el.textContent = '地名';
      svg.appendChild(el);
      return svg;
    } else if (sym.t === 'ln') {
      el = document.createElementNS(SVG_NS, 'line');
      el.setAttribute('x1', '2');
      el.setAttribute('y1', '8');
      el.setAttribute('x2', '28');
      el.setAttribute('y2', '8');
    } else {
      el = document.createElementNS(SVG_NS, 'rect');
      el.setAttribute('x', '3');
      el.setAttribute('y', '2');
      el.setAttribute('width', '24');
      el.setAttribute('height', '12');
      el.setAttribute('rx', '3');
    }
    var st = sym.style || {};
    el.setAttribute('stroke', st.stroke === false ? 'none' : (st.color || '#333'));
    el.setAttribute('stroke-width', String(Math.min(st.weight || 1, 5)));
    if (st.dashArray) { el.setAttribute('stroke-dasharray', st.dashArray); }
    if (sym.t !== 'ln') {
      el.setAttribute('fill', st.fill === false ? 'none' : (st.fillColor || st.color || '#333'));
      el.setAttribute('fill-opacity', String(st.fill === false ? 0 : (st.fillOpacity == null ? 0.2 : st.fillOpacity)));
    }
    if (st.opacity != null) { el.setAttribute('stroke-opacity', String(st.opacity)); }
    svg.appendChild(el);
    return svg;
  }

  function legend(map, spec) {
    if (!spec.sections.length && !spec.note_html) { return; }
    var control = L.control({position: 'bottomright'});
    control.onAdd = function () {
      var box = L.DomUtil.create('div', 'pl-legend');
      var head = L.DomUtil.create('div', 'pl-legend-head', box);
      L.DomUtil.create('span', '', head).innerHTML = spec.title_html;
      var toggle = L.DomUtil.create('button', 'pl-legend-toggle', head);
      toggle.type = 'button';
      toggle.textContent = '−';
      toggle.title = '收起/展开 Collapse/expand';
      var body = L.DomUtil.create('div', 'pl-legend-body', box);
      spec.sections.forEach(function (section) {
        var sec = L.DomUtil.create('div', 'pl-legend-section', body);
        if (section.title_html) {
          L.DomUtil.create('div', 'pl-legend-title', sec).innerHTML = section.title_html;
        }
        section.items.forEach(function (entry) {
          var row = L.DomUtil.create('div', 'pl-legend-row', sec);
          if (entry.layer) { row.setAttribute('data-layer', entry.layer); }
          row.appendChild(symbol(entry.sym));
          L.DomUtil.create('span', 'pl-legend-label', row).innerHTML = entry.label_html;
        });
      });
      if (spec.note_html) {
        L.DomUtil.create('div', 'pl-legend-note', body).innerHTML = spec.note_html;
      }
      L.DomEvent.on(toggle, 'click', function () {
        var hidden = body.style.display === 'none';
        body.style.display = hidden ? '' : 'none';
        toggle.textContent = hidden ? '−' : '+';
      });
      stopEvents(box);
      return box;
    };
    control.addTo(map);
  }

  function matches(query) {
    var q = String(query || '').trim().toLowerCase();
    if (!q) { return []; }
    var exact = [];
    var partial = [];
    searchIndex.forEach(function (entry) {
      var hit = false;
      var full = false;
      [entry.zh, entry.en, entry.id].forEach(function (k) {
        var key = String(k || '').toLowerCase();
        if (key.indexOf(q) !== -1) { hit = true; }
        if (key === q) { full = true; }
      });
      if (full) { exact.push(entry); } else if (hit) { partial.push(entry); }
    });
    return exact.concat(partial).slice(0, 12);
  }

  function go(map, entry) {
    var group = groupsOf()[entry.layer];
    var item = registry[entry.layer] && registry[entry.layer][entry.i];
    if (!group || !item) { return; }
    if (!map.hasLayer(group)) { group.addTo(map); }
    var target = item.getLatLng ? item.getLatLng() : item.getBounds().getCenter();
    map.setView(target, Math.max(map.getZoom(), 8));
    if (item.getPopup()) { item.openPopup(target); }
  }

  function search(map, entries) {
    searchIndex = entries;
    if (!entries.length) { return; }
    var control = L.control({position: 'topleft'});
    control.onAdd = function () {
      var box = L.DomUtil.create('div', 'pl-search');
      var input = L.DomUtil.create('input', 'pl-search-input', box);
      input.type = 'search';
      input.placeholder = '搜索地名 Search place / id';
      input.setAttribute('aria-label', '搜索地名 Search place');
      var list = L.DomUtil.create('ul', 'pl-search-results', box);
      var current = [];
      function render() {
        current = matches(input.value);
        while (list.firstChild) { list.removeChild(list.firstChild); }
        current.forEach(function (entry) {
          var li = L.DomUtil.create('li', 'pl-search-hit', list);
          L.DomUtil.create('span', 'pl-search-zh', li).textContent = entry.zh;
          L.DomUtil.create('span', 'pl-search-en', li).textContent = ' ' + entry.en + ' (' + entry.id + ')';
          L.DomEvent.on(li, 'click', function () { go(map, entry); });
        });
        if (input.value.trim() && !current.length) {
          L.DomUtil.create('li', 'pl-search-none', list).textContent = '无结果 No match';
        }
      }
      L.DomEvent.on(input, 'input', render);
      L.DomEvent.on(input, 'keydown', function (ev) {
        if (ev.key === 'Enter' && current.length) { go(map, current[0]); }
        if (ev.key === 'Escape') { input.value = ''; render(); }
      });
      stopEvents(box);
      return box;
    };
    control.addTo(map);
  }

  /* A header with a collapse button on the layer control; it starts folded when the list would take
   * more than 40 % of the map's height (a small window, or a map with many layers). */
  function collapsibleLayers(map) {
    var control = map.getContainer().querySelector('.leaflet-control-layers');
    var list = control && control.querySelector('.leaflet-control-layers-list');
    if (!list || control.querySelector('.pl-layers-head')) { return; }
    var head = L.DomUtil.create('div', 'pl-layers-head');
    control.insertBefore(head, control.firstChild);
    L.DomUtil.create('span', '', head).innerHTML = '图层 <span class="en">Layers</span>';
    var toggle = L.DomUtil.create('button', 'pl-layers-toggle', head);
    toggle.type = 'button';
    toggle.title = '收起/展开 Collapse/expand';
    function show(open) {
      list.style.display = open ? '' : 'none';
      toggle.textContent = open ? '−' : '+';
      control.setAttribute('data-open', open ? '1' : '0');
    }
    L.DomEvent.on(toggle, 'click', function (ev) { L.DomEvent.stop(ev); show(list.style.display === 'none'); });
    L.DomEvent.on(head, 'click', function (ev) { L.DomEvent.stop(ev); });
    show(list.scrollHeight <= map.getSize().y * 0.4);
  }

  /* After the whole page is parsed: view, reset button, label zoom, attribution, window.plannerMap. */
  function ready(map, spec, groups) {
    function start() {
      groupsOf = groups;
      var byId = groups();
      map.attributionControl.setPrefix('Leaflet');
      if (spec.attribution_html) { map.attributionControl.addAttribution(spec.attribution_html); }

      function fit() {
        placeTitle(map);
        var size = map.getSize();
        var right = columnWidth(map, 'right');
        if (right > size.x * 0.4) { right = 0; }
        var box = map.getContainer().querySelector('.pl-title');
        var top = box ? box.offsetHeight + 10 : 0;
        if (top > size.y * 0.3) { top = 0; }
        map.fitBounds(spec.bounds, {paddingTopLeft: [50, top + 10], paddingBottomRight: [right + 20, 20]});
      }
      var reset = L.control({position: 'topleft'});
      reset.onAdd = function () {
        var button = L.DomUtil.create('button', 'pl-reset');
        button.type = 'button';
        button.textContent = '⌂';
        button.title = '全图 Whole map';
        L.DomEvent.on(button, 'click', function (ev) { L.DomEvent.stop(ev); fit(); });
        return button;
      };
      reset.addTo(map);

      function zoomClass() {
        var low = map.getZoom() < (spec.minor_label_zoom || 6);
        L.DomUtil[low ? 'addClass' : 'removeClass'](map.getContainer(), 'pl-lowzoom');
      }
      map.on('zoomend', zoomClass);
      map.on('resize', function () { placeTitle(map); });
      collapsibleLayers(map);
      fit();
      zoomClass();

      function features(group) {
        var n = 0;
        group.eachLayer(function (child) { n += child.getLayers ? child.getLayers().length : 1; });
        return n;
      }
      window.plannerMap = {
        map: map,
        groups: byId,
        layerIds: Object.keys(byId),
        /* Features of a layer currently on the map (0 when the layer is switched off). */
        count: function (id) {
          var g = byId[id];
          return g && map.hasLayer(g) ? features(g) : 0;
        },
        /* Features of a layer drawn in the page (SVG elements carrying the layer's class). */
        drawn: function (id) {
          return document.querySelectorAll('.leaflet-pane .pl-' + id).length;
        },
        search: function (query) { return matches(query); },
        go: function (entry) { go(map, entry); }
      };
    }
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', start);
    } else {
      start();
    }
  }

  window.plannerRuntime = {
    pointer: pointer, binder: binder, title: title, legend: legend, search: search, ready: ready
  };
}());
