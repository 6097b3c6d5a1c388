package web

import "net/http"

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, u who)      { s.notFound(w, r, u) }
func (s *Server) evidence(w http.ResponseWriter, r *http.Request, u who)        { s.notFound(w, r, u) }
func (s *Server) reportAction(w http.ResponseWriter, r *http.Request, u who)    { s.notFound(w, r, u) }
func (s *Server) volunteers(w http.ResponseWriter, r *http.Request, u who)      { s.notFound(w, r, u) }
func (s *Server) volunteerAction(w http.ResponseWriter, r *http.Request, u who) { s.notFound(w, r, u) }
