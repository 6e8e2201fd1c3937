// transcript.html: time buttons, keyphrase marks and index links seek the player (without media: mark and
// scroll to the sentence); #o<n> and #t=<seconds> in the address do the same when the page opens.
(function(){
  var player = document.getElementById('player');
  function seek(t){ if(player){ player.currentTime = t; } }
  // the sentence spoken at t: marked and scrolled to (without media, what a time button does)
  function show(t){
    var at = null;
    document.querySelectorAll('.seg').forEach(function(s){ s.classList.remove('now'); if(+s.dataset.t <= t + 0.001) at = s; });
    if(at){ at.classList.add('now'); at.scrollIntoView({block:'center'}); }
  }
  if(!player) document.querySelectorAll('.ts').forEach(function(b){ b.title = 'Show this moment in the transcript'; });
  function activate(el){
    document.querySelectorAll('mark.kp.active').forEach(function(m){ m.classList.remove('active'); });
    if(!el) return;
    if(el.classList.contains('kp')) el.classList.add('active');
    el.scrollIntoView({block:'center'});
    if(el.dataset.t) seek(parseFloat(el.dataset.t));
  }
  document.addEventListener('click', function(ev){
    var ts = ev.target.closest('.ts');
    if(ts && !player){ show(parseFloat(ts.dataset.t)); return; }
    if(ts){ seek(parseFloat(ts.dataset.t)); if(player && player.paused){ var p = player.play(); if(p) p.catch(function(){}); } return; }
    var mk = ev.target.closest('mark.kp');
    if(mk){ seek(parseFloat(mk.dataset.t)); return; }
    var a = ev.target.closest('a[href^="#o"]');
    if(a){ ev.preventDefault(); var el = document.getElementById(a.getAttribute('href').slice(1));
           history.replaceState(null, '', a.getAttribute('href')); activate(el); }
  });
  if(player){
    var segs = Array.prototype.slice.call(document.querySelectorAll('.seg'));
    player.addEventListener('timeupdate', function(){
      var t = player.currentTime;
      segs.forEach(function(s){ s.classList.toggle('now', t >= +s.dataset.t && t < +s.dataset.end); });
    });
  }
  if(location.hash.indexOf('#o') === 0) activate(document.getElementById(location.hash.slice(1)));
  // #t=SECONDS (the course index links here): seek and show the sentence spoken then
  function goTime(hash){
    var tm = /^#t=(\d+(?:\.\d+)?)$/.exec(hash);
    if(!tm) return false;
    var t = parseFloat(tm[1]);
    show(t);
    // seek once the metadata is in: an earlier seek aborts the player's first request
    if(player && player.readyState < 1) player.addEventListener('loadedmetadata', function(){ seek(t); }, {once: true});
    else seek(t);
    return true;
  }
  goTime(location.hash);
  // the key-concept links of this page (#t=SECONDS): the same, without reloading
  document.addEventListener('click', function(ev){
    var a = ev.target.closest('a[href^="#t="]');
    if(a && goTime(a.getAttribute('href'))){ ev.preventDefault(); history.replaceState(null, '', a.getAttribute('href')); }
  });
})();
