#!/bin/sh
# store-seeds.sh DIR: a seed corpus for fuzz_store: a few valid requests. The first byte picks
# the handler ('0' push, '1' pull, '2' login, '3' forms, '4' cases, '5' lock, '6' quota list,
# '7' quota change), the second the role ('0' interviewer, '1' supervisor, '2' admin).
set -e
mkdir -p "$1"
cd "$1"
t=2026-03-02T10:00:00.000Z
iv=aaaaaaaa-0000-4000-8000-000000000001
printf '00{"records":[{"uuid":"%s","kind":"interview","data":{"interview":"%s","case":"C1","interviewer":"anna","status":"complete","outcome":"complete","lang":"en","version":"3","started_at":"%s","ended_at":"%s","updated_at":"%s","answers":[["q1",0,1,"2"]]}}],"workstation":"ws1"}' $iv $iv $t $t $t >push-interview
printf '00{"records":[{"uuid":"bbbbbbbb-0000-4000-8000-000000000002","kind":"event","data":{"interview":"%s","case":"C1","who":"anna","seq":1,"type":"answer","qid":"q1","iter":0,"state":1,"value":"2"}}]}' $iv >push-event
printf '01{"records":[{"uuid":"cccccccc-0000-4000-8000-000000000003","kind":"attempt","data":{"uuid":"cccccccc-0000-4000-8000-000000000003","case":"C3","interviewer":"sup","at":"%s","outcome":"complete","disposition":"1.1"}}]}' $t >push-attempt
printf '10' >pull-zero
printf '115\nws1' >pull-cursor
printf '20{"user":"anna","password":"pw-anna"}' >login-ok
printf '20{"user":"anna","password":"wrong"}' >login-bad
printf '32{"source":"form f\\nlanguages en\\nyesno q\\n  say en \\"Q?\\"\\n"}' >forms
printf '41{"form_id":"cms_jobseeker","cases":[{"id":"C9","phone":"9","fields":{"region":"9"},"interviewer":"anna"}]}' >cases
printf '50{"case":"C1","seconds":60,"workstation":"ws1"}' >lock
printf '61cms_jobseeker' >quota-list
printf '72{"study":"cms_jobseeker","quota":"region_type","cell":"9,1","target":5,"closed":false,"allowance":1}' >quota-set
