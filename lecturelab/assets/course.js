// course/index.html: MiniSearch (minisearch.js) over every transcript sentence (sentences.js); hits are
// shown with textContent only and link to the lecture page at that time. clock(): clock.js.
(function(){
  var lectures = JSON.parse(document.getElementById('lectures-data').textContent);
  var rows = window.COURSE_SENTENCES || [];
  var q = document.getElementById('q'), out = document.getElementById('results'), count = document.getElementById('count');
  var t0 = performance.now();
  var ms = new MiniSearch({fields: ['text'], idField: 'id',
                           searchOptions: {prefix: true, fuzzy: 0.15, combineWith: 'AND'}});
  ms.addAll(rows.map(function(r, i){ return {id: i, text: r[2]}; }));
  window.courseIndexMs = performance.now() - t0;
  function run(){
    var text = q.value.trim(), t1 = performance.now();
    out.textContent = '';
    if(!text){ count.textContent = ''; return; }
    var hits = ms.search(text);
    var frag = document.createDocumentFragment();
    hits.slice(0, 100).forEach(function(h){
      var r = rows[h.id], lec = lectures[r[0]];
      var li = document.createElement('li'), a = document.createElement('a'), span = document.createElement('span');
      a.href = '../' + lec.href + '/transcript.html#t=' + r[1];
      a.className = 'where'; a.textContent = lec.name + ' · ' + clock(r[1]);
      span.textContent = r[2];
      li.appendChild(a); li.appendChild(span); frag.appendChild(li);
    });
    out.appendChild(frag);
    count.textContent = hits.length + ' sentence' + (hits.length === 1 ? '' : 's') + (hits.length > 100 ? ' (first 100 shown)' : '');
    window.lastSearchMs = performance.now() - t1;
  }
  q.addEventListener('input', run);
  if(q.value) run();
})();
